// The container runtime, /bin/crun (programs/user/crun.s;
// docs/containers.md, "A container runtime"), driven from the shell as a user drives runc: a container whose command is pid 1
// with its own hostname and sees only itself in ps; the bundle's limits in its control group
// (pids.max makes a fork fail); two detached containers listed at once; kill, stop (a pid 1
// that ignores SIGTERM gets SIGKILL after the grace), delete; every error of a bundle; and the
// experiment "killing a container's pid 1 kills the whole container". One boot per config, the
// same transcript in each.

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { LAYER_DIR } from '../../src/configs/container.js';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { kernelImage } from '../../src/configs/images.js';
import { rootDisk } from '../../src/configs/rootfs.js';
import { systemPrograms } from '../../src/configs/system.js';
import type { DiskFile } from '../../src/configs/workloads.js';
import { toExecutable } from '../../src/fs/exec.js';
import { openFs } from '../../src/fs/image.js';
import { isaWith } from '../../src/isa/index.js';
import { cgroupsInUse, CONFIG_NAMES, program } from './guests/guest.js';

const ISA = isaWith([]);
const L = `${LAYER_DIR}/0`;
const text = (s: string) => new TextEncoder().encode(s);

/** Programs of the layer besides the system's ps, sh, hostname, sleep, echo, ip. */
const OWN = [
  // whoami: its pid and its hostname, as the container sees them
  program('whoami', `
_start: la   a0, m_pid
        call print
        call getpid
        call print_dec
        la   a0, m_host
        call print
        li   a0, HEAP_BASE
        li   a1, 80
        call gethostname
        li   a0, HEAP_BASE
        call print
        call newline
        li   a0, 0
        call exit
m_pid:  .asciz "pid "
m_host: .asciz ", hostname "
        .align 4`),
  // stubborn: ignores SIGTERM (the pid 1 that docker stop has to kill)
  program('stubborn', `
_start: li   a0, SIGTERM
        li   a1, SIG_IGN
        call signal
.loop:  li   a0, 1000000
        call sleep
        j    .loop`),
  // tree: pid 1 with three sleeping children, and it sleeps too
  program('tree', `
_start: li   s1, 3
.fork:  call fork
        beqz a0, .child
        addi s1, s1, -1
        bnez s1, .fork
.loop:  li   a0, 1000000
        call sleep
        j    .loop
.child: li   a0, 1000000
        call sleep
        j    .child`),
  // crash: a store to address 0 (SIGSEGV: crun exits 128 + 11, as a shell reports it)
  program('crash', `
_start: sw   zero, 0(zero)`),
  // bomb: forks sleepers until fork fails, prints how many and the error, then exits (its
  // children die with it: they are the namespace's)
  program('bomb', `
_start: li   s1, 0
.fork:  call fork
        beqz a0, .child
        blt  a0, zero, .fail
        addi s1, s1, 1
        j    .fork
.fail:  mv   s2, a0
        la   a0, m_forks
        call print
        mv   a0, s1
        call print_dec
        la   a0, m_then
        call print
        mv   a0, s2
        call result
        li   a0, 0
        call exit
.child: li   a0, 1000000
        call sleep
        j    .child
m_forks: .asciz "forks "
m_then: .asciz ", then "
        .align 4`),
];

const SYSTEM = ['ps', 'sh', 'hostname', 'sleep', 'echo', 'ip', 'false', 'cat', 'mount'];

function layerFiles(): DiskFile[] {
  const sys = systemPrograms(ISA).filter((p) => SYSTEM.includes(p.name === 'sleep-ticks' ? 'sleep' : p.name));
  const files = sys.map((p) => ({ path: `${L}${p.path}`, bytes: toExecutable(p.image) }));
  for (const p of OWN) files.push({ path: `${L}/bin/${p.name}`, bytes: toExecutable(p.image) });
  return files;
}

/** Bundles: /b/NAME/config. */
const BUNDLES: Record<string, string> = {
  ps: `layers=${L}\ncmd=ps\n`,
  who: `# a comment, then an empty line\n\nlayers=${L}\ncmd=whoami\nhostname=box1\n`,
  anon: `layers=${L}\ncmd=whoami\n`,
  bomb: `layers=${L}\ncmd=bomb\npids.max=4\n`,
  limits: `layers=${L}\ncmd=sleep 1000000\ncpu.max=20000 100000\ncpu.weight=300\nmemory.max=1M\nmemory.high=512K\npids.max=10\n`,
  stub: `layers=${L}\ncmd=stubborn\n`,
  tree: `layers=${L}\ncmd=tree\n`,
  false: `layers=${L}\ncmd=false\n`,
  crash: `layers=${L}\ncmd=crash\n`,
  net: `layers=${L}\ncmd=ip addr\nnet=10.0.0.2\n`,
  unknown: `layers=${L}\ncmd=ps\ncolour=blue\n`,
  noeq: `layers=${L}\ncmd=ps\njunk\n`,
  badval: `layers=${L}\ncmd=ps\npids.max=lots\n`,
  weight: `layers=${L}\ncmd=ps\ncpu.weight=0\n`,
  zero: `layers=${L}\ncmd=ps\npids.max=0\n`,
  zerocpu: `layers=${L}\ncmd=ps\ncpu.max=0 100000\n`,
  nolayer: `layers=/nope\ncmd=ps\n`,
  filelayer: `layers=/b/ps/config\ncmd=ps\n`,
  nolayers: `cmd=ps\n`,
  nocmd: `layers=${L}\n`,
  notfound: `layers=${L}\ncmd=nothere\n`,
  upper: `layers=${L}\ncmd=ps\nupper=ram\n`,
  badnet: `layers=${L}\ncmd=ps\nnet=10.0.0\n`,
  longhost: `layers=${L}\ncmd=ps\nhostname=${'h'.repeat(65)}\n`,
  two: `layers=${L}:/b/top\ncmd=cat /hello\n`,
  disk: `layers=${L}:/b/top\ncmd=sh /script\nupper=disk\n`,
  tmpfs: `layers=${L}:/b/top\ncmd=sh /script\nupper=tmpfs\nupper.size=64k\n`,
  mounts: `layers=${L}:/b/top\ncmd=mount\nupper=tmpfs\n`,
};

/** The top layer of the overlay bundles: /b/top (a /hello, and /script writing into the root). */
const TOP: DiskFile[] = [
  { path: '/b/top/hello', bytes: text('hello from the top layer\n') },
  { path: '/b/top/script', bytes: text('echo written > /new\ncat /new\ncat /hello\n') },
];

const OVERLAY_SCRIPT = `crun run o1 /b/two
echo "exit $?"
crun run o2 /b/disk
echo "exit $?"
ls /var/lib/crun
crun run --keep o3 /b/disk
ls /var/lib/crun/o3/upper
crun delete o3
ls /var/lib/crun
crun run o4 /b/tmpfs
echo "exit $?"
crun run o5 /b/mounts
crun list
`;
/** What the overlay session prints: two read-only layers, upper=disk (kept with --keep until
 *  delete), upper=tmpfs (gone with the container), the mount list inside a container. */
const OVERLAY_TRANSCRIPT = `$ hello from the top layer
$ exit 0
$ written
hello from the top layer
$ exit 0
$ layers
$ written
hello from the top layer
$ new
$ $ layers
$ written
hello from the top layer
$ exit 0
$ overlay / overlay rw,lowerdir=/b/top:/var/lib/crun/layers/0,upperdir=/run/crun/o5/rootfs/upper,workdir=/run/crun/o5/rootfs/work
$ ID              PID     STATUS    BUNDLE
$ `;

function disk(): Uint8Array {
  const files = [...layerFiles(), ...TOP, ...Object.entries(BUNDLES).map(([name, config]) => ({ path: `/b/${name}/config`, bytes: text(config) }))];
  return rootDisk([], undefined, files, systemPrograms(ISA));
}

const SCRIPT = `crun run c1 /b/ps
echo "exit $?"
crun run c1 /b/who
crun run c2 /b/anon
crun run c3 /b/false
echo "exit $?"
crun run c3 /b/crash
echo "exit $?"
crun run c4 /b/notfound
echo "exit $?"
crun run c5 /b/bomb
echo "exit $?"
crun run c6 /b/net
crun run -d a /b/limits
crun run -d b /b/stub
crun run -d b /b/stub
echo "exit $?"
crun list
cgctl get /crun/a cpu.max
cgctl get /crun/a cpu.weight
cgctl get /crun/a memory.max
cgctl get /crun/a memory.high
cgctl get /crun/a pids.max
cgctl get /crun/a pids.current
crun delete a
echo "exit $?"
crun kill a
crun list
crun stop a
crun stop b
echo "exit $?"
crun list
crun delete a
crun delete b
crun list
crun kill a
echo "exit $?"
crun stop a
crun delete a
echo "== the experiment"
crun run -d t /b/tree
sleep 20
ps
crun kill t KILL
sleep 20
ps
crun list
crun delete t
echo "== end"
crun run --keep k /b/ps
crun list
crun delete k
crun run x /b/unknown
echo "exit $?"
crun run x /b/noeq
crun run x /b/badval
echo "exit $?"
crun run x /b/weight
crun run x /b/zero
crun run x /b/zerocpu
crun run x /b/nolayer
crun run x /b/filelayer
crun run x /b/nolayers
crun run x /b/nocmd
crun run x /b/upper
crun run x /b/badnet
crun run x /b/longhost
crun run x /nope
crun run a/b /b/ps
crun run 0123456789abcdef /b/ps
crun run .x /b/ps
crun run x
echo "exit $?"
crun
crun kill x
crun kill a HUP
crun delete -x a
ls /run/crun
crun list
`;

const TRANSCRIPT = `$    PID  PPID STATE NAME
     1     0 R     ps
$ exit 0
$ pid 1, hostname box1
$ pid 1, hostname c2
$ $ exit 1
$ kernel: killed pid 12 (crash): PageFaultWrite at pc 0x40000000 addr 0x00000000
$ exit 139
$ crun: nothere: No such file or directory
$ exit 127
$ forks 3, then -11
$ exit 0
$ 1: lo inet 127.0.0.1 tx 0 rx 0
2: veth0 inet 10.0.0.2 peer 10.0.0.1 tx 0 rx 0
$ $ $ crun: b: container already exists (crun delete it first)
$ exit 125
$ ID              PID     STATUS    BUNDLE
a               23      running   /b/limits
b               25      running   /b/stub
$ 20000 100000
$ 300
$ 1048576
$ 524288
$ 10
$ 1
$ crun: a: container is running (crun stop it first)
$ exit 1
$ $ ID              PID     STATUS    BUNDLE
a               23      stopped   /b/limits
b               25      running   /b/stub
$ $ crun: b: still running 100 ticks after SIGTERM: SIGKILL
$ exit 0
$ ID              PID     STATUS    BUNDLE
a               23      stopped   /b/limits
b               25      stopped   /b/stub
$ $ $ ID              PID     STATUS    BUNDLE
$ crun: a: no such container
$ exit 1
$ crun: a: no such container
$ crun: a: no such container
$ == the experiment
$ $ $    PID  PPID STATE NAME
     1     0 S     init
     2     1 S     sh
    47     1 S     tree
    49    47 S     tree
    50    47 S     tree
    51    47 S     tree
    52     2 R     ps
$ $ $    PID  PPID STATE NAME
     1     0 S     init
     2     1 S     sh
    55     2 R     ps
$ ID              PID     STATUS    BUNDLE
t               47      stopped   /b/tree
$ $ == end
$    PID  PPID STATE NAME
     1     0 R     ps
$ ID              PID     STATUS    BUNDLE
k               59      stopped   /b/ps
$ $ crun: /b/unknown/config: colour: unknown key
$ exit 125
$ crun: /b/noeq/config: junk: not a key=value line
$ crun: x: pids.max: Invalid argument
$ exit 125
$ crun: x: cpu.weight: Numerical result out of range
$ crun: pids.max: a limit of 0 leaves the container nothing to start with
$ crun: cpu.max: a limit of 0 leaves the container nothing to start with
$ crun: layer /nope: No such file or directory
$ crun: layer /b/ps/config: Not a directory
$ crun: layers: missing in the bundle's config
$ crun: cmd: missing in the bundle's config
$ crun: upper: not none, tmpfs or disk
$ crun: net: not an address a.b.c.d
$ crun: hostname: longer than 64 bytes
$ crun: /nope/config: No such file or directory
$ crun: a/b: invalid container id (1 to 15 bytes, no '/', not starting with '.')
$ crun: 0123456789abcdef: invalid container id (1 to 15 bytes, no '/', not starting with '.')
$ crun: .x: invalid container id (1 to 15 bytes, no '/', not starting with '.')
$ usage: crun run [-d] [--keep] ID BUNDLE | list | kill ID [SIGNAL] | stop ID | delete [-k] ID
$ exit 2
$ usage: crun run [-d] [--keep] ID BUNDLE | list | kill ID [SIGNAL] | stop ID | delete [-k] ID
$ crun: x: no such container
$ crun: HUP: unknown signal
$ usage: crun run [-d] [--keep] ID BUNDLE | list | kill ID [SIGNAL] | stop ID | delete [-k] ID
$ $ ID              PID     STATUS    BUNDLE
$ `;

function bootShell(config: string): BootResult {
  return findConfig(config)!.boot({ workloads: [], shell: true, disk: disk(), input: text(SCRIPT), maxCycles: 3_000_000_000 });
}

const body = (r: BootResult) => r.console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '');

const boots = new Map<string, BootResult>();
const booted = (config: string): BootResult => {
  if (!boots.has(config)) boots.set(config, bootShell(config));
  return boots.get(config)!;
};

describe.each(CONFIG_NAMES)('crun under %s', (config) => {
  it('runs, lists, stops and deletes containers, and says what is wrong with a bundle', () => {
    const r = booted(config);
    expect(body(r)).toBe(TRANSCRIPT);
    expect(r.exitCode).toBe(4); // the power-off code says the kernel killed a process (crash)
    expect(names(r, L)).not.toContain('.pivot_root'); // runc's pivot_root(".", "."): no directory for the old root
    if (config === 'native') expect(cgroupsInUse(r)).toBe(2); // the root and /crun: every container's group is gone (the kernel's table is read where native has it)
  });
});

// The experiment "killing a container's pid 1 kills the whole container" (docs/containers.md):
// pid 1 of the container (host pid 47) with three children (49, 50, 51), all asleep; SIGKILL
// to pid 1 from the host (crun kill t KILL); every one of them is gone, and the container is
// stopped. The part of the session between the markers, exactly, in every configuration.
const EXPERIMENT = ` $ $    PID  PPID STATE NAME
     1     0 S     init
     2     1 S     sh
    47     1 S     tree
    49    47 S     tree
    50    47 S     tree
    51    47 S     tree
    52     2 R     ps
$ $ $    PID  PPID STATE NAME
     1     0 S     init
     2     1 S     sh
    55     2 R     ps
$ ID              PID     STATUS    BUNDLE
t               47      stopped   /b/tree
$ $ `;

describe.each(CONFIG_NAMES)('killing a container\'s pid 1 kills the whole container (%s)', (config) => {
  it('leaves none of its processes', () => {
    const out = body(booted(config));
    expect(out.slice(out.indexOf('== the experiment\n') + 19, out.indexOf('== end'))).toBe(EXPERIMENT);
  });
});

// Several layers, or an upper layer, make crun mount an overlay (and a tmpfs for upper=tmpfs):
// two read-only layers; upper=disk, written through and kept with --keep (ls shows the new
// file in /var/lib/crun/o3/upper) until crun delete; upper=tmpfs (a tmpfs under the overlay's
// upper layer, gone when the container is deleted); `mount` in a container: its overlay alone
// (the host's root and the tmpfs under the upper layer went with the lazy unmount of the old
// root), and no directory for the old root in the top layer.
describe('overlay root filesystems', () => {
  it.each(['native', 'vtx-ept'])('layers=L0:L1, upper=disk and upper=tmpfs (%s)', (config) => {
    const r = findConfig(config)!.boot({ workloads: [], shell: true, disk: disk(), input: text(OVERLAY_SCRIPT), maxCycles: 1_000_000_000 });
    expect(body(r)).toBe(OVERLAY_TRANSCRIPT);
    expect(names(r, '/b/top')).toEqual(['hello', 'script']);
    if (config === 'native') expect(liveTmpfs(r)).toBe(0); // o4's and o5's tmpfs ended with their overlays
  });
});

/** The tmpfs instances alive at power-off (tmpfs.s: dev_table entries 1..NTMPFS with D_USED). */
function liveTmpfs(r: BootResult): number {
  const kernel = kernelImage(ISA);
  const sym = (name: string): number => findSymbol(kernel, name)!.value;
  let n = 0;
  for (let d = 1; d <= sym('NTMPFS'); d++) if (r.machine.memory.words[(sym('dev_table') + d * sym('D_SIZE') + sym('D_USED')) >>> 2] !== 0) n++;
  return n;
}

/** The names in a directory of the guest's disk after the boot (not . and ..). */
function names(r: BootResult, dir: string): string[] {
  const fs = openFs(r.machine.disk.contents());
  if (!fs.ok) throw new Error(fs.error);
  const list = fs.value.readdir(dir);
  if (!list.ok) throw new Error(`${dir}: ${list.error}`);
  return list.value.filter((n) => n !== '.' && n !== '..').sort();
}
