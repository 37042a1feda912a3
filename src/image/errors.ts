// The one error type of the image library (src/image) and the registry (src/registry): a clear
// message that names the file, blob or field at fault, and what kind of failure it is, which
// the CLI turns into a documented exit code (src/cli/commands/image.ts).

/** usage: a bad argument (an illegal tag, an unknown image); format: a damaged store, layout,
 *  blob or Ringfile; network: a registry that is down or answers garbage; guest: the emulated
 *  machine could not run a container (a RUN step, `container run`) to its end. */
export type ImageErrorKind = 'usage' | 'format' | 'network' | 'guest';

export class ImageError extends Error {
  constructor(
    message: string,
    readonly kind: ImageErrorKind = 'format',
  ) {
    super(message);
  }
}

/** An error's message, whatever was thrown (fs errors carry their path and code). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
