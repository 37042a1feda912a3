// A device sits on the port bus. Adding one is one file implementing Device plus one line in
// the machine's device list (src/machine/machine.ts). Devices see simulated time only through
// the cycle counter passed to them: nothing here may read the host clock.

/** How a VMM treats a device's port for its guest. `npm run gen` turns the declarations into the
 *  VMMs' port dispatch table (programs/vmm/common/ports.s), so a new device is seen, or hidden,
 *  under every VMM without editing VMM assembly:
 *  - 'passthrough': the VMM performs the guest's `in` and `out` on the real port: the guest is
 *    the device's only user (the console, the power port);
 *  - 'virtualized': the VMM models the port in software, in routines `vdev_in_<NAME>` (a readable
 *    port) and `vdev_out_<NAME>` (a writable one) of programs/vmm/common/devices.s; the VMMs do not
 *    assemble until they exist. For a device the VMM must share or translate: the timer (the VMM
 *    needs the real one), a device that takes physical addresses (DMA: guest-physical is not
 *    host-physical), or one the VMM answers faster itself (the null port);
 *  - 'hidden': the guest sees an undriven bus, as if the device were not there (reads -1, writes
 *    are ignored). */
export type VmmTreatment = 'passthrough' | 'virtualized' | 'hidden';

export interface PortDef {
  readonly port: number;
  readonly name: string;
  readonly access: 'r' | 'w' | 'rw';
  readonly doc: string;
  /** This port's treatment under a VMM, if it differs from its device's. */
  readonly vmm?: VmmTreatment;
}

export interface Device {
  readonly name: string;
  readonly doc: string;
  readonly ports: readonly PortDef[];
  /** How a VMM treats its ports (each port may say otherwise): see VmmTreatment. */
  readonly vmm: VmmTreatment;
  /** Interrupt line this device drives, if any (bit n of IPEND). */
  readonly irqLine?: number;
  read(port: number, now: number): number;
  write(port: number, value: number, now: number): void;
  /** Cycle at which the device next needs `tick`, or Infinity. */
  nextEvent(): number;
  /** Called when the cycle counter has reached nextEvent(). */
  tick(now: number): void;
  /** Level of its interrupt line right now. It may change only in `read`, `write` and `tick`
   *  (or from the host between two runs of the machine): the processor relies on that to skip
   *  event checks (Processor.linesAtCheck). */
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
  abstract readonly vmm: VmmTreatment;
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
