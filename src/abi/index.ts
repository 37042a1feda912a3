// The ABI between the guest kernel, its user programs and its boot loader: system calls, error
// numbers, address-space constants and shared structures. One TypeScript table each, from which
// `npm run gen` writes the assembly includes (programs/lib/abi.inc, programs/lib/usys.s) and the
// system-call section of docs/kernel.md (src/tools/abi-gen.ts). It imports nothing; the boot
// configurations and the generators import it (imports point down: machine <- abi <- configs).

export * from './errno.js';
export * from './layout.js';
export * from './syscalls.js';
