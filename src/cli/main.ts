// The `ringlab` executable (bin/ringlab.js loads it): runs the command line (program.ts) on the
// process's own streams and sets the exit code.

import { ExitCode } from './errors.js';
import { main } from './program.js';

// A reader that stops early (`ringlab asm --listing | head`) closes the pipe: that is the
// reader's choice, not an error, so stop quietly instead of dying with a stack trace. EIO means
// the terminal went away (the window of an interactive `boot --shell` closed): what is written
// is lost, and the command ends on its own (the session sees its input end and hangs up).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.OK);
    if (e.code === 'EIO' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}

// Set the exit code and let Node finish writing stdout (process.exit could cut piped output).
process.exitCode = await main(process.argv.slice(2));
