// Power port: writing a value powers the machine off with that exit code (low 8 bits),
// which `ringlab run` passes through as its own exit code.

import { BasicDevice, type MachineControl, type PortDef } from './device.js';

export const POWER_OFF = 0x30;

export class PowerDevice extends BasicDevice {
  readonly name = 'power';
  readonly doc = 'power-off port with an exit code';
  readonly vmm = 'passthrough' as const; // the guest powers the machine off
  readonly ports: readonly PortDef[] = [
    { port: POWER_OFF, name: 'POWER_OFF', access: 'w', doc: 'write code: power off; the machine exits with code & 0xff' },
  ];

  constructor(private readonly machine: MachineControl) {
    super();
  }

  read(): number {
    return -1;
  }

  write(port: number, value: number): void {
    if (port === POWER_OFF) this.machine.powerOff(value & 0xff);
  }
}
