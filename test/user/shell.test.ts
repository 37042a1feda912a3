// /bin/sh and the utilities (docs/shell.md), run as a user would: command lines given to the
// shell as console input, one boot per table (many lines in one script keeps the test fast).
// Each case is followed by `echo "@@ $?"`, so the console splits into each command's output
// and its status. The same script runs natively and under te and must print the same bytes.
//
// The boot runs /bin/sh with argv = [sh, "1"] (a --run record carries the iteration count), so
// the outer shell reads the script /1, which holds `sh`: the inner shell, started without
// arguments, reads the console and prompts, as `boot --shell` would have it.

import { describe, expect, it } from 'vitest';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { ROOT_DISK_BYTES } from '../../src/configs/rootfs.js';
import { SYSTEM_PROGRAMS } from '../../src/configs/system.js';
import { mkfs, openFs } from '../../src/fs/image.js';

const MAX_CYCLES = 2_000_000_000;

function disk(files: Record<string, string | Uint8Array> = {}): Uint8Array {
  const made = mkfs(ROOT_DISK_BYTES);
  if (!made.ok) throw new Error(made.detail);
  const fs = openFs(made.value);
  if (!fs.ok) throw new Error(fs.detail);
  for (const [path, text] of Object.entries({ '/1': 'sh\n', ...files })) {
    const w = fs.value.writeFile(path, typeof text === 'string' ? new TextEncoder().encode(text) : text);
    if (!w.ok) throw new Error(w.error);
  }
  return made.value;
}

/** Boot `config` with `input` on the console for an interactive /bin/sh. */
function shell(config: string, input: string | Uint8Array, files: Record<string, string | Uint8Array> = {}): BootResult {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  return findConfig(config)!.boot({ workloads: [], run: ['/bin/sh'], iterations: 1, disk: disk(files), input: bytes, maxCycles: MAX_CYCLES });
}

/** The console without the kernel's first and last lines. */
function session(r: BootResult): string {
  let text = r.console.replace(/^kernel: booting .*\n/, '');
  const end = text.lastIndexOf('kernel: ');
  if (end >= 0) text = text.slice(0, end);
  return text;
}

interface Case {
  line: string;
  out: string;
  status: number;
}

const c = (line: string, out: string, status = 0): Case => ({ line, out, status });

/** Run the cases in one boot; give back what each printed and its status. */
function runTable(config: string, cases: readonly Case[], files: Record<string, string | Uint8Array> = {}): { got: Case[]; text: string; result: BootResult } {
  const script = cases.map((k) => `${k.line}\necho "@@ $?"\n`).join('');
  const result = shell(config, script, files);
  const text = session(result);
  const parts = text.split(/\$ @@ (\d+)\n/);
  const got: Case[] = cases.map((k, i) => ({ line: k.line, out: (parts[2 * i] ?? '<missing>').replace(/^\$ /, ''), status: Number(parts[2 * i + 1] ?? -1) }));
  return { got, text, result };
}

const SHELL_CASES: Case[] = [
  // words, quotes, escapes, $?
  c('echo hello world', 'hello world\n'),
  c('echo -n abc', 'abc'),
  c("echo 'a  b' \"c  d\" e\\ \\ f", 'a  b c  d e  f\n'),
  c(`echo "it's" 'say "hi"'`, `it's say "hi"\n`),
  c('echo "a\\"b\\\\c\\$d\\e"', 'a"b\\c$d\\e\n'),
  c("echo a'b'\"c\"d", 'abcd\n'),
  c("echo '' x ''", ' x \n'),
  c('echo $ $x a$', '$ $x a$\n'),
  c("false; echo $? '$?' \"$?\"", '1 $? 1\n'),
  c('echo a;echo b ; echo c;', 'a\nb\nc\n'),
  c('', ''),
  c('   \t  ', ''),
  c('# a comment', ''),
  c('echo a#b # c', 'a#b\n'),
  c('echo back\\', 'back\\\n'),
  // syntax errors: nothing of the line runs, status 2
  c(';;', "sh: syntax error: unexpected `;'\n", 2),
  c('echo a ;; echo b', "sh: syntax error: unexpected `;'\n", 2),
  c('| echo x', "sh: syntax error: unexpected `|'\n", 2),
  c('echo x |', 'sh: syntax error: unexpected end of line\n', 2),
  c('echo x >', 'sh: syntax error: unexpected end of line\n', 2),
  c('echo x > | cat', "sh: syntax error: unexpected `|'\n", 2),
  c('echo a && echo b', "sh: syntax error: unexpected `&'\n", 2),
  c('echo "abc', 'sh: syntax error: unterminated quote\n', 2),
  c("echo 'abc", 'sh: syntax error: unterminated quote\n', 2),
  c('& echo x', "sh: syntax error: unexpected `&'\n", 2),
  // commands: found, not found, not executable
  c('true', ''),
  c('false', '', 1),
  c('/bin/true', ''),
  c('nosuch', 'sh: nosuch: not found\n', 127),
  c("''", 'sh: : not found\n', 127),
  c('/bin/nosuch', 'sh: /bin/nosuch: No such file or directory\n', 127),
  c('/bin', 'sh: /bin: Permission denied\n', 126),
  c('/data.txt', 'sh: /data.txt: Exec format error\n', 126),
  // redirections, with and without blanks
  c('echo one > f; cat f', 'one\n'),
  c('echo two>>f;cat<f', 'one\ntwo\n'),
  c('cat < f > g; cat g', 'one\ntwo\n'),
  c('> empty; wc empty', '      0       0       0 empty\n'),
  c('cat < nosuch', 'sh: nosuch: No such file or directory\n', 1),
  c('echo x > /nodir/f', 'sh: /nodir/f: No such file or directory\n', 1),
  c('echo x > /bin', 'sh: /bin: Is a directory\n', 1),
  // pipelines
  c('echo a b c | wc', '      1       3       6\n'),
  c('cat /data.txt | cat | cat | cat | cat | cat | cat | cat', 'first line\nsecond line\n'),
  c('echo x | false', '', 1),
  c('false | true', ''),
  c('echo x | nosuch | cat', 'sh: nosuch: not found\n'),
  // built-ins
  c('cd /nonexistent', 'sh: cd: /nonexistent: No such file or directory\n', 1),
  c('cd /data.txt', 'sh: cd: /data.txt: Not a directory\n', 1),
  c('mkdir /d; cd /d; echo in d > here; ls; cd; ls /d', 'here\nhere\n'),
  c('cd /d | true; ls', '1\nd\ndata.txt\nempty\nf\ng\nbin\nsbin\n'),
  c('echo x > /d/y | echo z', 'z\n'),
  c('exit 3 | true', ''),
  c('exit foo | true', 'sh: exit: foo: numeric argument required\n'),
  c('true &', ''),
];

describe('sh', () => {
  it('runs the table: words, quotes, $?, syntax errors, not found, redirections, pipes, built-ins', () => {
    const files = { '/data.txt': 'first line\nsecond line\n' };
    const { got, result } = runTable('native', SHELL_CASES, files);
    expect(got).toEqual(SHELL_CASES);
    expect(result.exitCode).toBe(0);
  });
});
