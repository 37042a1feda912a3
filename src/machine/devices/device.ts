// A device sits on the port bus. Adding one is one file implementing Device plus one line in
// the machine's device list (src/machine/machine.ts). Devices see simulated time only through
// the cycle counter passed to them: nothing here may read the host clock.

export interface PortDef {
  readonly port: number;
  readonly name: string;
  readonly access: 'r' | 'w' | 'rw';
  readonly doc: string;
}

export interface Device {
  readonly name: string;
  readonly doc: string;
  readonly ports: readonly PortDef[];
  /** Interrupt line this device drives, if any (bit n of IPEND). */
  readonly irqLine?: number;
  read(port: number, now: number): number;
  write(port: number, value: number, now: number): void;
  /** Cycle at which the device next needs `tick`, or Infinity. */
  nextEvent(): number;
  /** Called when the cycle counter has reached nextEvent(). */
  tick(now: number): void;
  /** Level of its interrupt line right now. */
  irqAsserted(): boolean;
  /** Copy of the device's state, for debugger snapshots; `restore` takes it back. */
  save(): unknown;
  restore(state: unknown): void;
}

/** Defaults for a device without a timer, interrupt or state worth saving: extend it and
 *  implement only ports, read and write (see null-port.ts for the smallest example). */
export abstract class BasicDevice implements Device {
  abstract readonly name: string;
  abstract readonly doc: string;
  abstract readonly ports: readonly PortDef[];
  abstract read(port: number, now: number): number;
  abstract write(port: number, value: number, now: number): void;

  nextEvent(): number {
    return Infinity;
  }

  tick(_now: number): void {}

  irqAsserted(): boolean {
    return false;
  }

  save(): unknown {
    return null;
  }

  restore(_state: unknown): void {}
}

/** What a device may ask of the machine. */
export interface MachineControl {
  powerOff(exitCode: number): void;
}
