// The architecture check on the host (src/image/features.ts): an image config's requirements
// (the ISA extensions label, os.features) against a machine, as `container run` makes it before
// it boots anything; and what the guest of each configuration sees (configs: guestExtensions).

import { describe, expect, it } from 'vitest';
import { CONFIGS, findConfig, guestExtensions } from '../../src/configs/index.js';
import { emptyConfig, ISA_LABEL, type ImageConfig } from '../../src/image/config.js';
import { checkRequirements, executablesExtensions, requiredExtensions, requiredKernelFeatures, requireExtensions } from '../../src/image/features.js';

function config(isa?: string, features?: string[]): ImageConfig {
  const c = emptyConfig();
  if (isa !== undefined) c.config = { Labels: { [ISA_LABEL]: isa } };
  if (features) c['os.features'] = features;
  return c;
}

describe('checkRequirements', () => {
  it('an image without requirements runs anywhere', () => {
    expect(checkRequirements(config(), { extensions: [] })).toBeUndefined();
    expect(checkRequirements(config(undefined, ['namespaces', 'overlay']), { extensions: [] })).toBeUndefined();
  });

  it('an ISA extension the machine has passes; one it lacks is refused, saying how to get it', () => {
    expect(checkRequirements(config('legacy'), { extensions: ['legacy'] })).toBeUndefined();
    expect(checkRequirements(config('legacy'), { extensions: [], name: '--config vtx-ept' })).toBe(
      "the image's platform does not match the machine: it needs the ISA extension legacy, which the machine (--config vtx-ept) lacks (its extensions: none; boot one with --extensions legacy)",
    );
    expect(checkRequirements(config('legacy,vmx'), { extensions: ['vmx'] })).toBe(
      "the image's platform does not match the machine: it needs the ISA extension legacy, which the machine lacks (its extensions: vmx; boot one with --extensions legacy)",
    );
    expect(checkRequirements(config('legacy,vmx'), { extensions: [] })).toMatch(/needs the ISA extensions legacy, vmx, which the machine lacks .*--extensions legacy,vmx\)$/);
  });

  it('names an extension no ringlab machine has, and missing kernel features, all in one message', () => {
    expect(checkRequirements(config('avx512', ['cgroups', 'zfs']), { extensions: [], kernelFeatures: ['cgroups'] })).toBe(
      "the image's platform does not match the machine: it needs the ISA extension avx512, which no ringlab machine has; and the kernel feature zfs, which the guest kernel lacks",
    );
    expect(checkRequirements(config(undefined, ['net']), { extensions: [], kernelFeatures: [] })).toMatch(/the kernel feature net, which the guest kernel lacks$/);
  });

  it("refuses another platform's image, as docker does", () => {
    const amd64 = { ...config(), architecture: 'amd64', os: 'linux' };
    expect(checkRequirements(amd64, { extensions: ['legacy', 'vmx'] })).toBe(
      "the image's platform (linux/amd64) does not match the machine's (ringlab/ringlab): its executables are for another machine",
    );
  });

  it('requirements read and grow as sets, sorted; no label while there are none', () => {
    const c = config(' vmx, legacy,vmx');
    expect(requiredExtensions(c)).toEqual(['legacy', 'vmx']);
    requireExtensions(c, ['legacy']);
    expect(c.config!.Labels![ISA_LABEL]).toBe('legacy,vmx');
    const none = config();
    requireExtensions(none, []);
    expect(none.config).toEqual({});
    expect(requiredKernelFeatures(config(undefined, ['net', 'cgroups', 'net']))).toEqual(['cgroups', 'net']);
  });

  it('executables in a file tree give their EX_ISA; other files nothing', () => {
    const exec = new Uint8Array(32);
    const view = new DataView(exec.buffer);
    view.setUint32(0, 0x3158_4c52, true); // "RLX1"
    view.setUint32(12, 0b11, true);
    const tree = new Map([
      ['bin/x', { type: 'file' as const, mode: 0o755, data: exec }],
      ['etc/motd', { type: 'file' as const, mode: 0o644, data: new TextEncoder().encode('hello') }],
      ['bin', { type: 'dir' as const, mode: 0o755 }],
    ]);
    expect(executablesExtensions(tree)).toEqual(['legacy', 'vmx']);
  });

  it("with guestExtensions: a VMM's guest never has vmx, so an image needing it runs only natively", () => {
    const needsVmx = config('vmx');
    for (const c of CONFIGS) {
      const verdict = checkRequirements(needsVmx, { extensions: guestExtensions(c, { extensions: ['vmx'] }), name: `--config ${c.name}` });
      if (c.name === 'native') expect(verdict).toBeUndefined();
      else expect(verdict).toContain(`the machine (--config ${c.name}) lacks`);
    }
    expect(checkRequirements(config('legacy'), { extensions: guestExtensions(findConfig('vtx-ept')!, { extensions: ['legacy'] }) })).toBeUndefined();
  });
});
