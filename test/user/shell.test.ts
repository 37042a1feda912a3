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
  c("''", 'sh: : not found\n', 127),
  // redirections, with and without blanks
  c('echo one > f; cat f', 'one\n'),
  c('echo two>>f;cat<f', 'one\ntwo\n'),
  c('cat < f > g; cat g', 'one\ntwo\n'),
  c('> empty; wc empty', '      0       0       0 empty\n'),
  c('cat < nosuch', 'sh: nosuch: No such file or directory\n', 1),
  c('echo x > /nodir/f', 'sh: /nodir/f: No such file or directory\n', 1),
  c('echo x > /bin', 'sh: /bin: Is a directory\n', 1),
  // built-ins
  c('cd /nonexistent', 'sh: cd: /nonexistent: No such file or directory\n', 1),
  c('cd /data.txt', 'sh: cd: /data.txt: Not a directory\n', 1),
  c('mkdir /d; cd /d; echo in d > here; ls; cd; ls /d', 'here\nhere\n'),
  c('true &', ''),
];

const PIPE_CASES: Case[] = [
  c('echo x | nosuch | cat', 'sh: nosuch: not found\n'),
  c('echo a b c | wc', '      1       3       6\n'),
  c('cat /data.txt | cat | cat | cat | cat | cat | cat | cat', 'first line\nsecond line\n'),
  c('echo x | false', '', 1),
  c('false | true', ''),
  c('mkdir /d; cd /d | true; ls', '1\ndata.txt\nsbin\nbin\nd\n'),
  c('echo x > /d/y | echo z', 'z\n'),
  c('exit 3 | true', ''),
  c('exit foo | true', 'sh: exit: foo: numeric argument required\n'),
];

// What exec's errors become: 127 when the program is not there, else 126.
const EXEC_CASES: Case[] = [
  c('nosuch', 'sh: nosuch: not found\n', 127),
  c('/bin/nosuch', 'sh: /bin/nosuch: No such file or directory\n', 127),
  c('/bin', 'sh: /bin: Permission denied\n', 126),
  c('/data.txt', 'sh: /data.txt: Exec format error\n', 126),
];

// The utilities' happy paths and their errors ("NAME: ARG: message", 1; usage errors 2).
const UTILITY_CASES: Case[] = [
  c('mkdir /u; cd /u; echo hi > a; mkdir b; ls', 'a\nb\n'),
  c('ls -l', '-   1        3 a\nd   2       64 b\n'),
  c('ls a b', 'a\nb:\n'),
  c('ls nosuch a', 'ls: nosuch: No such file or directory\na\n', 1),
  c('cat a a', 'hi\nhi\n'),
  c('cat nosuch a', 'cat: nosuch: No such file or directory\nhi\n', 1),
  c('cat b', 'cat: b: Is a directory\n', 1),
  c('cat < a', 'hi\n'),
  c('mkdir c; mkdir c', 'mkdir: c: File exists\n', 1),
  c('mkdir', 'usage: mkdir DIR...\n', 2),
  c('cp a a2; cat a2', 'hi\n'),
  c('cp a b; ls b', 'a\n'),
  c('cp nosuch x', 'cp: nosuch: No such file or directory\n', 1),
  c('cp b x', 'cp: b: Is a directory\n', 1),
  c('cp a', 'usage: cp SOURCE DEST\n', 2),
  c('mv a2 a3; ls', 'a\nb\nc\na3\n'),
  c('mv a3 b; ls b', 'a\na3\n'),
  c('mv nosuch x', 'mv: nosuch: No such file or directory\n', 1),
  c('mv a', 'usage: mv SOURCE DEST\n', 2),
  c('rm b/a3; ls b', 'a\n'),
  c('rm b', 'rm: b: Is a directory\n', 1),
  c('rm -r b c; ls', 'a\n'),
  c('rm nosuch', 'rm: nosuch: No such file or directory\n', 1),
  c('rm', 'usage: rm [-r] FILE...\n', 2),
  c('wc a', '      1       1       3 a\n'),
  c('wc a a', '      1       1       3 a\n      1       1       3 a\n      2       2       6 total\n'),
  c('wc < a', '      1       1       3\n'),
  c('wc nosuch', 'wc: nosuch: No such file or directory\n', 1),
  c('echo -n', ''),
  c('/bin/echo a -n', 'a -n\n'),
  c('/bin/echo -n x', 'x'),
  c('kill', 'usage: kill [-SIGNAL] PID...\n', 2),
  c('kill -FOO 5', 'kill: -FOO: invalid signal\nusage: kill [-SIGNAL] PID...\n', 2),
  c('kill abc', 'kill: abc: invalid process id\nusage: kill [-SIGNAL] PID...\n', 2),
  c('kill 999', 'kill: 999: No such process\n', 1),
  c('kill -KILL 1', 'kill: 1: Operation not permitted\n', 1),
  c('sleep 1', ''),
  c('sleep x', 'usage: sleep TICKS\n', 2),
  c('sh /nosuch', 'sh: /nosuch: No such file or directory\n', 127),
  c('echo echo in a script > s; echo exit 3 >> s; sh s', 'in a script\n', 3),
  c("sh -c 'echo in -c; cat a | wc; exit 4'", 'in -c\n      1       1       3\n', 4),
  c("sh -c ''", ''),
  c('sh -c', 'sh: -c: option requires an argument\n', 2),
];

const FILES = { '/data.txt': 'first line\nsecond line\n' };

describe('sh', () => {
  it('runs the table natively and under te alike: words, quotes, $?, syntax errors, redirections, built-ins', () => {
    const native = runTable('native', SHELL_CASES, FILES);
    expect(native.got).toEqual(SHELL_CASES);
    expect(native.result.exitCode).toBe(0);
    const te = runTable('te', SHELL_CASES, FILES);
    expect(te.text).toBe(native.text);
  });

  it('runs pipelines: the last command gives the status', () => {
    expect(runTable('native', PIPE_CASES, FILES).got).toEqual(PIPE_CASES);
  });

  it('reports what exec could not run: not found 127, else 126', () => {
    expect(runTable('native', EXEC_CASES, FILES).got).toEqual(EXEC_CASES);
  });

  it('survives a 100 KB line and binary junk, and ends at the end of the input', () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 97 + 13) & 0xff);
    const parts = [new TextEncoder().encode(`echo ${'x'.repeat(100_000)}\necho after $?\n`), junk, new TextEncoder().encode('\necho alive\n')];
    const input = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) (input.set(p, at), (at += p.length));
    const r = shell('native', input);
    const text = session(r);
    expect(text).toMatch(/^\$ sh: line too long\n\$ after 2\n/);
    expect(text).toMatch(/\$ alive\n\$ $/);
    expect(r.exitCode).toBe(0);
  });
});

describe('the utilities', () => {
  it('run the table natively and under te alike', () => {
    const native = runTable('native', UTILITY_CASES, FILES);
    expect(native.got).toEqual(UTILITY_CASES);
    const te = runTable('te', UTILITY_CASES, FILES);
    expect(te.text).toBe(native.text);
  });

  it('ps lists the processes with their parent and state', () => {
    const { text } = runTable('native', [c('ps', '')]);
    expect(text).toMatch(/^\$    PID  PPID STATE NAME\n     1     0 S     init\n     2     1 S     sh\n     3     2 S     sh\n +\d+     3 R     ps\n/);
  });

  it('are all on every root disk', () => {
    expect(SYSTEM_PROGRAMS.map((p) => p.path)).toEqual(expect.arrayContaining(['/bin/sh', '/bin/ls', '/bin/cat', '/bin/echo', '/bin/kill', '/bin/ps']));
  });
});
