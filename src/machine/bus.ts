// The port bus: routes `in`/`out` to devices, collects interrupt lines, and tells the processor
// when the next device event is due so the interpreter can run until then without checking.

import type { Device } from './devices/device.js';

/** Value read from a port no device claims (an undriven bus reads as all ones, as on a PC). */
export const UNMAPPED_PORT_VALUE = -1;

export class PortBus {
  private readonly byPort = new Map<number, Device>();

  constructor(readonly devices: readonly Device[]) {
    for (const device of devices) {
      for (const p of device.ports) {
        const clash = this.byPort.get(p.port);
        if (clash) throw new Error(`port 0x${p.port.toString(16)} claimed by both ${clash.name} and ${device.name}`);
        this.byPort.set(p.port, device);
      }
    }
  }

  read(port: number, now: number): number {
    const device = this.byPort.get(port);
    return device ? device.read(port, now) | 0 : UNMAPPED_PORT_VALUE;
  }

  write(port: number, value: number, now: number): void {
    this.byPort.get(port)?.write(port, value, now);
  }

  /** Earliest cycle at which some device needs a tick. */
  nextEvent(): number {
    let next = Infinity;
    for (const d of this.devices) next = Math.min(next, d.nextEvent());
    return next;
  }

  /** Earliest event of a device whose interrupt line is in `lines` (a bit mask). */
  nextEventOnLines(lines: number): number {
    let next = Infinity;
    for (const d of this.devices) {
      if (d.irqLine !== undefined && (lines & (1 << d.irqLine)) !== 0) next = Math.min(next, d.nextEvent());
    }
    return next;
  }

  tick(now: number): void {
    for (const d of this.devices) if (d.nextEvent() <= now) d.tick(now);
  }

  /** IPEND: bit n set while the device on line n asserts its interrupt. */
  pendingLines(): number {
    let lines = 0;
    for (const d of this.devices) if (d.irqLine !== undefined && d.irqAsserted()) lines |= 1 << d.irqLine;
    return lines;
  }
}
