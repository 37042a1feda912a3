// The assembler's input limits, in one place (docs/assembler.md lists them). Each keeps the
// host's time and memory small for any input; each is far above what the programs in
// programs/ need (the largest file is 17 KB, the kernel about 3,000 lines with its includes).

const MiB = 1024 * 1024;

/** Bytes of one source file: the main file and each file it includes. */
export const MAX_SOURCE_BYTES = 1 * MiB;

/** Characters of one line, also after macro arguments are substituted into it. */
export const MAX_LINE_LENGTH = 256 * 1024;

/** Tokens of one line (a `.byte` list of 10,000 values is fine; a megabyte of `1+1+...` is not). */
export const MAX_LINE_TOKENS = 10_000;

/** Lines the assembler reads in one run, counting every included file and macro expansion
 *  (this also stops macros that expand exponentially). */
export const MAX_LINES = 250_000;

/** Characters the assembler reads in one run, counting every included file and macro expansion
 *  (a long macro argument substituted into many lines adds up here). */
export const MAX_TOTAL_CHARS = 4 * MiB;
