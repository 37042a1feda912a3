// The worked example of docs/extending.md, "Adding a device". The doc quotes this file verbatim
// and test/docs/extending.test.ts checks that it does, then plugs it into a PortBus.

import type { Device, PortDef } from '../../src/machine/devices/device.js';

export const RANDOM_DATA = 0x50;
export const RANDOM_SEED = 0x51;

/** A pseudo-random number generator on a port. Deterministic on purpose (principle 3): the
 *  sequence depends only on the seed the guest writes, never on the host. */
export class RandomDevice implements Device {
  readonly name = 'random';
  readonly doc = 'xorshift32 pseudo-random numbers';
  readonly vmm = 'passthrough' as const; // under a VMM the guest uses the real ports
  readonly ports: readonly PortDef[] = [
    { port: RANDOM_DATA, name: 'RANDOM_DATA', access: 'r', doc: 'read: the next 32-bit pseudo-random number' },
    { port: RANDOM_SEED, name: 'RANDOM_SEED', access: 'w', doc: 'write: restart the sequence from this seed (0 counts as 1)' },
  ];

  private state = 1;

  read(port: number): number {
    if (port !== RANDOM_DATA) return -1;
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x | 0;
    return this.state;
  }

  write(port: number, value: number): void {
    if (port === RANDOM_SEED) this.state = value | 0 || 1;
  }

  // No timed events and no interrupt line.
  nextEvent(): number {
    return Infinity;
  }

  tick(): void {}

  irqAsserted(): boolean {
    return false;
  }

  // Snapshots for the debugger.
  save(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    this.state = state as number;
  }
}
