// Every file that is generated from a table, and how. `npm run gen` (generate.ts) writes them;
// test/tools/generated.test.ts fails, naming `npm run gen`, when any of them is stale.

import { debuggerDocBlocks } from '../debug/docs.js';
import { EXTENSIONS, isaWith } from '../isa/index.js';
import { pseudoReference } from '../isa/pseudo.js';
import { isaMarkdown } from '../isa/reference.js';
import { abiInclude, structDocs, syscallDocs, userStubs } from './abi-gen.js';
import { replaceBlocks } from './blocks.js';
import { fsInclude, fsLayoutDocs } from './fs-gen.js';
import { hardwareInclude } from './hw-include.js';
import { vmmPortsSource } from '../configs/vmm-ports.js';

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly path: string;
  /** What it is generated from. */
  readonly from: string;
  /** The file as the tables make it, given its current text: a whole generated file ignores it,
   *  a hand-written document keeps it and gets its generated blocks (blocks.ts) replaced. */
  render(current: string): string | Promise<string>;
}

/** In order: the debugger's transcript boots the kernel, which includes the files before it. */
export const GENERATED_FILES: readonly GeneratedFile[] = [
  {
    path: 'docs/ISA.md',
    from: 'the instruction tables (src/isa/)',
    render: () => isaMarkdown(isaWith([...EXTENSIONS.keys()]), { pseudo: pseudoReference() }),
  },
  {
    path: 'programs/lib/hw.inc',
    from: 'the hardware tables (src/isa/, src/machine/)',
    render: hardwareInclude,
  },
  {
    path: 'programs/vmm/common/ports.s',
    from: "the devices' VMM declarations (src/machine/devices/)",
    render: () => vmmPortsSource(),
  },
  {
    path: 'programs/lib/abi.inc',
    from: 'the ABI tables (src/abi/)',
    render: abiInclude,
  },
  {
    path: 'programs/lib/usys.s',
    from: 'the system-call table (src/abi/syscalls.ts)',
    render: userStubs,
  },
  {
    path: 'programs/lib/fs.inc',
    from: 'the filesystem format (src/fs/layout.ts)',
    render: fsInclude,
  },
  {
    path: 'docs/fs.md',
    from: 'the filesystem format (src/fs/layout.ts)',
    render: (doc) => replaceBlocks(doc, 'docs/fs.md', { layout: fsLayoutDocs() }),
  },
  {
    path: 'docs/kernel.md',
    from: 'the ABI tables (src/abi/): boot arguments, system calls, errno values',
    render: (doc) => replaceBlocks(doc, 'docs/kernel.md', { 'boot arguments': structDocs(), 'system calls': syscallDocs() }),
  },
  {
    path: 'docs/debugger.md',
    from: 'the debugger\'s command table and a real debugging session of the kernel (src/debug/docs.ts)',
    render: async (doc) => replaceBlocks(doc, 'docs/debugger.md', await debuggerDocBlocks()),
  },
];
