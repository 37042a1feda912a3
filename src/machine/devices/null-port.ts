// A port that does nothing: reads give 0, writes are ignored. It exists so that benchmarks can
// time the port I/O path itself (the `in` nanobenchmark of Adams and Agesen, ASPLOS 2006).

import { BasicDevice, type PortDef } from './device.js';

export const NULL_PORT = 0x40;

export class NullPortDevice extends BasicDevice {
  readonly name = 'null';
  readonly doc = 'a port with no effect, for timing port I/O';
  readonly vmm = 'virtualized' as const; // the VMM answers it without a real access (0 in, nothing out)
  readonly ports: readonly PortDef[] = [{ port: NULL_PORT, name: 'NULL_PORT', access: 'rw', doc: 'reads 0, ignores writes' }];

  read(): number {
    return 0;
  }

  write(): void {}
}
