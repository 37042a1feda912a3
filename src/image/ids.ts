// The identifiers of the OCI image spec (config.md, "Layer DiffID", "Layer ChainID",
// "ImageID"):
//   DiffID(layer)        = sha256 of the layer's uncompressed tar
//   ChainID(L0)          = DiffID(L0)
//   ChainID(L0|...|Ln)   = sha256(ChainID(L0|...|Ln-1) + " " + DiffID(Ln))   (digest strings)
//   ImageID              = sha256 of the config JSON's bytes (the config's digest)

import { sha256, type Digest } from './digest.js';

export function diffId(uncompressedTar: Uint8Array): Digest {
  return sha256(uncompressedTar);
}

/** The ChainID of each prefix of the layer stack: result[i] identifies layers 0..i applied in order. */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const id of diffIds) out.push(out.length === 0 ? id : sha256(`${out.at(-1)!} ${id}`));
  return out;
}

export function chainId(diffIds: readonly Digest[]): Digest | undefined {
  return chainIds(diffIds).at(-1);
}

export function imageId(configBytes: Uint8Array): Digest {
  return sha256(configBytes);
}
