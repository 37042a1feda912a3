// The execution engines a Machine can run with, and the process-wide default. A module of its
// own, with no imports, so the command line can name and check an engine without loading the
// machine.

/** `interp`: the generated interpreter (dispatch.ts). `translate`: blocks compiled to JavaScript
 *  (translate.ts), the interpreter for what they leave out. */
export type EngineName = 'interp' | 'translate';
export const ENGINES: readonly EngineName[] = ['interp', 'translate'];

let engineDefault: EngineName | undefined;

/** The engine a Machine gets when its options name none: set by `setDefaultEngine` (the CLI's
 *  --engine), else the RINGLAB_ENGINE environment variable, else `translate`, measured as fast
 *  as `interp` on short runs (the test suite, `npm start`) and faster on long ones
 *  (docs/architecture.md, "The block translator"). */
export function defaultEngine(): EngineName {
  if (engineDefault !== undefined) return engineDefault;
  const env = process.env['RINGLAB_ENGINE'];
  return env === 'translate' || env === 'interp' ? env : 'translate';
}

export function setDefaultEngine(engine: EngineName | undefined): void {
  engineDefault = engine;
}
