// Media types (OCI image spec, media-types.md) ringlab writes and reads.

export const MEDIA = {
  INDEX: 'application/vnd.oci.image.index.v1+json',
  MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  CONFIG: 'application/vnd.oci.image.config.v1+json',
  /** What ringlab writes: uncompressed tars (see docs/images.md, "Formats and digests"). */
  LAYER_TAR: 'application/vnd.oci.image.layer.v1.tar',
  /** Read (import, pull), never written: gzip output depends on the zlib version and level, so
   *  a gzipped layer would not have the same digest on every machine. */
  LAYER_TAR_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const LAYER_MEDIA_TYPES: readonly string[] = [MEDIA.LAYER_TAR, MEDIA.LAYER_TAR_GZIP];

/** The annotation on index.json's descriptors that names a tag (annotations.md). */
export const REF_NAME = 'org.opencontainers.image.ref.name';
