// The architecture check (issue 18; docs/containers.md, "Architecture: ISA extensions"): an
// executable records the ISA extensions its instructions use (EX_ISA, written by the assembler's
// count), the guest kernel reads the CPU's at boot (EXTENSIONS, or the VMM's answer) and exec
// refuses a program that needs one the CPU lacks with ENOEXEC, which the shell reports as "Exec
// format error". Every config, on a machine with and without `legacy`, prints what native
// prints; under the VMMs the machine has vmx, which they hide, so a program using a vmx
// instruction is refused there as on a native machine without it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { bootCommand } from '../../src/cli/commands/boot.js';
import { CliError } from '../../src/cli/errors.js';
import { EXEC_HEADER } from '../../src/abi/layout.js';
import { assemble, findSymbol, type Image } from '../../src/asm/index.js';
import { ALL_CONFIGS, findConfig, guestExtensions, type BootResult } from '../../src/configs/index.js';
import { kernelImage, USER_DIR } from '../../src/configs/images.js';
import { rootDisk } from '../../src/configs/rootfs.js';
import { systemPrograms } from '../../src/configs/system.js';
import { parseExecutable, toExecutable } from '../../src/fs/exec.js';
import { EXTENSIONS, isaWith } from '../../src/isa/index.js';
import { CONFIG_NAMES, program } from './guests/guest.js';

/** A user program assembled as `boot --program` and `image build` do: every extension accepted. */
function crossProgram(name: string, body: string): Image {
  const r = assemble(`        .include "user.inc"\n${body}\n        .include "lib.s"\n`, { fileName: join(USER_DIR, `${name}.s`), isa: isaWith([...EXTENSIONS.keys()]) });
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors[0])}`);
  return r.image;
}

// leg: reads its ring with the legacy extension's rdstatus (3 in every config: user code runs in
// ring 3 natively and under each VMM).
const LEG = crossProgram('leg', `
_start: rdstatus t0
        andi a0, t0, 3
        call print_dec
        call newline
        li   a0, 0
        call exit`);

// vmxuse: a vmx instruction, after its exit (it never runs): exec must refuse it wherever the
// guest does not see vmx.
const VMXUSE = crossProgram('vmxuse', `
_start: li   a0, 5
        call exit
        vmcall`);

const PLAIN = crossProgram('plain', `
_start: li   a0, 4
        call exit`);

/** An executable whose EX_ISA names an extension no machine has (bit 31). */
function withIsa(image: Image, mask: number): Uint8Array {
  const bytes = toExecutable(image);
  new DataView(bytes.buffer).setUint32(EXEC_HEADER.fields.ISA.offset, mask >>> 0, true);
  return bytes;
}

const FILES = [
  { path: '/bin/leg', bytes: toExecutable(LEG) },
  { path: '/bin/vmxuse', bytes: toExecutable(VMXUSE) },
  { path: '/bin/plain', bytes: toExecutable(PLAIN) },
  { path: '/bin/future', bytes: withIsa(PLAIN, 0x8000_0000) },
];

// The driver: fork and exec each program, printing exec's error (in the child) and the wait
// status (in the parent).
const DRIVER = program('archdrv', `
_start: la   a0, p_leg
        call runit
        la   a0, p_vmx
        call runit
        la   a0, p_plain
        call runit
        la   a0, p_future
        call runit
        li   a0, 0
        call exit
runit:  push ra
        push s1
        mv   s1, a0
        call fork
        beqz a0, .child
        call wst
        pop  s1
        pop  ra
        ret
.child: mv   a0, s1
        li   a1, 0
        call exec
        call result                 # exec returned: -errno
        li   a0, 1
        call exit
p_leg:    .asciz "/bin/leg"
p_vmx:    .asciz "/bin/vmxuse"
p_plain:  .asciz "/bin/plain"
p_future: .asciz "/bin/future"
`);

const SCRIPT = 'leg\necho $?\nfuture\necho $?\nplain\necho $?\n';

function disk(): Uint8Array {
  return rootDisk([], undefined, FILES, systemPrograms(isaWith([])));
}

function run(config: string, extensions: string[]): BootResult {
  return findConfig(config)!.boot({
    workloads: [],
    programs: [DRIVER],
    shell: true,
    disk: disk(),
    input: new TextEncoder().encode(SCRIPT),
    maxCycles: 500_000_000,
    ...(extensions.length > 0 && { extensions }),
  });
}

const rows = (...values: (number | string)[]) => values.map((v) => `${v}\n`).join('');
const ENOEXEC = -8;

describe('exec and the CPU\'s ISA extensions', () => {
  it('the assembler records what a program uses, and only that', () => {
    expect(LEG.extensions).toEqual(['legacy']);
    expect(VMXUSE.extensions).toEqual(['vmx']);
    expect(PLAIN.extensions).toBeUndefined();
    expect(parseExecutable(toExecutable(LEG)).isa).toBe(1 << EXTENSIONS.get('legacy')!.bit!);
    expect(parseExecutable(toExecutable(PLAIN)).isa).toBe(0);
  });

  for (const [variant, extensions, driver, shell] of [
    [
      'without legacy',
      [],
      rows(ENOEXEC, 1 << 8, ENOEXEC, 1 << 8, 4 << 8, ENOEXEC, 1 << 8),
      '$ sh: /bin/leg: Exec format error\n$ 126\n$ sh: /bin/future: Exec format error\n$ 126\n$ $ 4\n$ ',
    ],
    ['with legacy', ['legacy'], rows(3, 0, ENOEXEC, 1 << 8, 4 << 8, ENOEXEC, 1 << 8), '$ 3\n$ 0\n$ sh: /bin/future: Exec format error\n$ 126\n$ $ 4\n$ '],
  ] as const) {
    describe(`a machine ${variant}`, () => {
      const results = new Map<string, BootResult>();
      const result = (config: string) => {
        if (!results.has(config)) results.set(config, run(config, [...extensions]));
        return results.get(config)!;
      };

      it('natively: exec refuses a program needing a missing extension (ENOEXEC), the shell says "Exec format error"', () => {
        const r = result('native');
        expect(r.console).not.toContain('panic');
        expect(r.processes[0]).toMatchObject({ exitCode: 0, output: driver });
        expect(r.processes[1]!.output).toBe(shell); // "$ " is the prompt
      });

      it('the kernel read the CPU\'s extensions at boot (cpu_extensions)', () => {
        const r = result('native');
        const at = findSymbol(kernelImage(isaWith([...extensions])), 'cpu_extensions')!.value;
        expect(r.machine.memory.words[at >>> 2]! >>> 0).toBe(isaWith([...extensions]).extensionMask);
      });

      for (const config of CONFIG_NAMES.filter((c) => c !== 'native')) {
        it(`${config} prints what native prints`, () => {
          const r = result(config);
          const n = result('native');
          expect(r.console).not.toContain('panic');
          expect(r.processes.map((p) => [p.exitCode, p.output])).toEqual(n.processes.map((p) => [p.exitCode, p.output]));
        });
      }
    });
  }

  it('every VMM hides vmx from its guest (a machine with vmx shows it natively)', () => {
    for (const config of ALL_CONFIGS) {
      expect(guestExtensions(config, { extensions: ['vmx', 'legacy'] })).toEqual(config.name === 'native' ? ['legacy', 'vmx'] : ['legacy']);
      expect(guestExtensions(config)).toEqual([]);
    }
    const r = findConfig('native')!.boot({ workloads: [], programs: [DRIVER], disk: disk(), extensions: ['vmx'], maxCycles: 500_000_000 });
    expect(r.processes[0]!.output).toBe(rows(ENOEXEC, 1 << 8, 5 << 8, 4 << 8, ENOEXEC, 1 << 8)); // vmxuse runs (and exits 5 before its vmcall)
  });
});

describe('ringlab boot --extensions', () => {
  const ROOT = join(import.meta.dirname, '..', '..');

  /** `ringlab ARGS` as docs/containers.md shows it: the command, then its stdout. */
  function transcript(args: string[]): string {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    });
    try {
      const extensions = args.indexOf('--extensions');
      bootCommand({ program: [join(ROOT, args[2]!)], ...(extensions >= 0 && { extensions: args[extensions + 1]! }) });
    } finally {
      vi.restoreAllMocks();
    }
    return `$ npx ringlab ${args.join(' ')}\n${out}`;
  }

  it("docs/containers.md's transcript is what the commands print", () => {
    const doc = readFileSync(join(ROOT, 'docs', 'containers.md'), 'utf8');
    const shown = transcript(['boot', '--program', 'examples/images/legacy/ring.s']) + transcript(['boot', '--program', 'examples/images/legacy/ring.s', '--extensions', 'legacy']);
    expect(doc).toContain(`\`\`\`\n${shown}\`\`\`\n`);
  });

  it('an unknown extension is a usage error naming the known ones', () => {
    expect(() => bootCommand({ workload: 'compute', extensions: 'sse' })).toThrow(CliError);
    expect(() => bootCommand({ workload: 'compute', extensions: 'sse' })).toThrow("--extensions: unknown ISA extension 'sse' (known: vmx, legacy)");
  });
});
