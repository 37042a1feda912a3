// Exit codes of the `ringlab` command, and the error type that carries one.
// These are part of the stable interface (scripts and autograders read them).

export const ExitCode = {
  OK: 0,
  /** Bad command line, missing or unreadable file. */
  USAGE: 1,
  /** The assembler rejected the source, or an image file is malformed. */
  ASSEMBLY: 2,
  /** The guest could not finish: cycle limit, double fault, deadlock, or a load error. */
  GUEST: 3,
  /** `isa --check`: the Popek-Goldberg condition does not hold (a sensitive instruction is not
   *  privileged). Distinct from every code a guest kernel or VMM in programs/ powers off with. */
  NOT_VIRTUALIZABLE: 10,
  /** `fuzz`: some process behaved differently under a configuration than natively. */
  DIVERGED: 11,
  /** `fs fsck`: the filesystem in the disk image has problems (each is printed). */
  FS_DAMAGED: 12,
  /** `push`, `pull`: the registry is down, refused the request or answered something that is not
   *  the OCI distribution API (nothing is left half-written in the store). */
  REGISTRY: 13,
  /** A bug in ringlab itself (please report it). */
  INTERNAL: 70,
} as const;

/** An error the CLI reports as one message (no stack trace) with a documented exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
