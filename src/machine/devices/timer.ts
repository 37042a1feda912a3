// Interval timer driven by the simulated cycle counter (never the host clock), so interrupts
// arrive at the same instruction in every run. Periodic: after an interval is written, line 0
// is raised every `interval` cycles until it is written again (0 stops it).

import type { Device, PortDef } from './device.js';

export const TIMER_INTERVAL = 0x20;
export const TIMER_ACK = 0x21;
export const TIMER_IRQ_LINE = 0;

export class TimerDevice implements Device {
  readonly name = 'timer';
  readonly doc = 'periodic interval timer on the cycle counter';
  readonly irqLine = TIMER_IRQ_LINE;
  readonly vmm = 'virtualized' as const; // the VMM keeps the real timer for itself and multiplexes the guest's on it (vtimer_* in devices.s)
  readonly ports: readonly PortDef[] = [
    { port: TIMER_INTERVAL, name: 'TIMER_INTERVAL', access: 'rw', doc: 'write N: interrupt every N cycles from now (0 stops); read: the interval' },
    { port: TIMER_ACK, name: 'TIMER_ACK', access: 'w', doc: 'write anything: lower the pending interrupt' },
  ];

  private interval = 0;
  private nextFire = Infinity;
  private pending = false;

  read(port: number): number {
    return port === TIMER_INTERVAL ? this.interval : -1;
  }

  write(port: number, value: number, now: number): void {
    if (port === TIMER_INTERVAL) {
      this.interval = value >>> 0;
      this.nextFire = this.interval === 0 ? Infinity : now + this.interval;
    } else if (port === TIMER_ACK) {
      this.pending = false;
    }
  }

  nextEvent(): number {
    return this.nextFire;
  }

  tick(now: number): void {
    if (now < this.nextFire) return;
    this.pending = true;
    // Missed periods (e.g. during a long idle skip) coalesce into one interrupt, as on real hardware.
    const periodsDue = Math.floor((now - this.nextFire) / this.interval) + 1;
    this.nextFire += periodsDue * this.interval;
  }

  irqAsserted(): boolean {
    return this.pending;
  }

  save(): unknown {
    return { interval: this.interval, nextFire: this.nextFire, pending: this.pending };
  }

  restore(state: unknown): void {
    Object.assign(this, state as { interval: number; nextFire: number; pending: boolean });
  }
}
