// crun's volume (programs/user/crun.s, `volume=SOURCE:/TARGET` in the bundle; docs/containers.md,
// "A container runtime"): Docker's -v, a bind mount of a directory of the host's tree at TARGET
// in the container's root, made before pivot_root. The container reads the host's files there and
// its writes reach the host's directory, not its upper layer; the bundle's errors. One boot of a
// shell session per config, the same transcript in each (the isolation suite measures volumes
// against the overlay: docs/isolation.md, "Storage").

import { describe, expect, it } from 'vitest';
import { findConfig } from '../../src/configs/index.js';
import { rootDisk } from '../../src/configs/rootfs.js';
import { systemPrograms } from '../../src/configs/system.js';
import { toExecutable } from '../../src/fs/exec.js';
import { isaWith } from '../../src/isa/index.js';
import { CONFIG_NAMES } from './guests/guest.js';

const ISA = isaWith([]);
const L = '/L/0';
const text = (s: string) => new TextEncoder().encode(s);
const SYSTEM = ['sh', 'cat', 'echo', 'mount', 'ls'];

function disk(): Uint8Array {
  const sys = systemPrograms(ISA).filter((p) => SYSTEM.includes(p.name));
  const layer = sys.map((p) => ({ path: `${L}${p.path}`, bytes: toExecutable(p.image) }));
  const bundles: Record<string, string> = {
    vol: `layers=${L}\ncmd=sh /script\nupper=tmpfs\nvolume=/v:/data\n`,
    nocolon: `layers=${L}\ncmd=cat /data/x\nupper=tmpfs\nvolume=/v\n`,
    relative: `layers=${L}\ncmd=cat /data/x\nupper=tmpfs\nvolume=/v:data\n`,
    nosource: `layers=${L}\ncmd=cat /data/x\nupper=tmpfs\nvolume=:/data\n`,
    root: `layers=${L}\ncmd=cat /data/x\nupper=tmpfs\nvolume=/v:/\n`,
    missing: `layers=${L}\ncmd=cat /data/x\nupper=tmpfs\nvolume=/nope:/data\n`,
    notarget: `layers=${L}\ncmd=cat /data/x\nupper=tmpfs\nvolume=/v:/nothere\n`,
  };
  const files = [
    ...layer,
    { path: `${L}/data/image`, bytes: text('the image\'s /data, hidden by the volume\n') },
    { path: `${L}/script`, bytes: text('cat /data/x\necho from the container > /data/y\nls /data\nmount\n') },
    { path: '/v/x', bytes: text('from the host\n') },
    ...Object.entries(bundles).map(([name, config]) => ({ path: `/b/${name}/config`, bytes: text(config) })),
  ];
  return rootDisk([], undefined, files, systemPrograms(ISA));
}

const SCRIPT = `crun run v1 /b/vol
echo "exit $?"
cat /v/y
ls ${L}/data
crun run v2 /b/nocolon
crun run v3 /b/relative
crun run v4 /b/nosource
crun run v5 /b/root
crun run v6 /b/missing
echo "exit $?"
crun run v7 /b/notarget
`;

const TRANSCRIPT = `$ from the host
x
y
overlay / overlay rw,lowerdir=/L/0,upperdir=/run/crun/v1/rootfs/upper,workdir=/run/crun/v1/rootfs/work
/dev/disk /data rlfs rw
$ exit 0
$ from the container
$ image
$ crun: volume: not SOURCE:/TARGET
$ crun: volume: not SOURCE:/TARGET
$ crun: volume: not SOURCE:/TARGET
$ crun: volume: not SOURCE:/TARGET
$ crun: v6: mount: No such file or directory
$ exit 125
$ crun: v7: mount: No such file or directory
$ `;

const body = (console: string) => console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '');

describe.each(CONFIG_NAMES)('crun volume= under %s', (config) => {
  it('bind-mounts the host directory in the container, and says what is wrong with a volume', () => {
    const r = findConfig(config)!.boot({ workloads: [], shell: true, disk: disk(), input: text(SCRIPT), maxCycles: 2_000_000_000 });
    expect(body(r.console)).toBe(TRANSCRIPT);
    expect(r.exitCode).toBe(0);
  });
});
