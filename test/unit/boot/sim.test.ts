import { describe, expect, it } from 'vitest';
import { BootError, type BootStatus, type InstallProgress } from '../../../hal/boot/boot-slots.ts';
import { SimBootSlots } from '../../../hal/boot/sim.ts';

const BUNDLE = '/data/upgrade/bundle.raucb';

function fresh(): SimBootSlots {
  const sim = new SimBootSlots({ version: '0.1.0' });
  sim.addBundle(BUNDLE, { compatible: 'tandem-controller', version: '0.2.0' });
  sim.addBundle('/bad-sig', { compatible: 'tandem-controller', version: '0.2.0', badSignature: true });
  sim.addBundle('/corrupt', { compatible: 'tandem-controller', version: '0.2.0', corrupt: true });
  sim.addBundle('/other-box', { compatible: 'some-camera', version: '9.9.9' });
  return sim;
}

const slot = (s: BootStatus, n: 'A' | 'B') => s.slots.find((x) => x.name === n)!;

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const e: unknown = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BootError);
  expect((e as BootError).code).toBe('refused');
  expect((e as Error).message).toMatch(pattern);
}

describe('SimBootSlots', () => {
  it('starts on A, good, primary; B empty and bad', async () => {
    expect(await fresh().status()).toEqual({
      booted: 'A',
      primary: 'A',
      slots: [
        { name: 'A', good: true, version: '0.1.0' },
        { name: 'B', good: false, version: null },
      ],
    });
  });

  it('info reads a registered bundle; unknown, badly signed and incompatible bundles are refused', async () => {
    const sim = fresh();
    expect(await sim.info(BUNDLE)).toEqual({ compatible: 'tandem-controller', version: '0.2.0' });
    await refused(sim.info('/nope'), /no such bundle/);
    await refused(sim.info('/bad-sig'), /signature/);
    await refused(sim.info('/other-box'), /compatible/);
  });

  it('install writes the other slot, which becomes primary, with progress to 100%', async () => {
    const sim = fresh();
    const progress: InstallProgress[] = [];
    await sim.install(BUNDLE, (p) => progress.push(p));
    const s = await sim.status();
    expect(s.booted).toBe('A');
    expect(s.primary).toBe('B');
    expect(slot(s, 'B')).toEqual({ name: 'B', good: true, version: '0.2.0' });
    expect(progress.at(-1)?.percent).toBe(100);
  });

  it('powerCycle: the new primary boots once (TRY set); untried again it is skipped for the old slot', async () => {
    const sim = fresh();
    await sim.install(BUNDLE, () => undefined);
    expect(sim.powerCycle()).toBe('B'); // B: OK=1 TRY=0 -> boots, TRY=1
    expect((await sim.status()).booted).toBe('B');
    // Never marked good: B is OK but tried; A was OK and... A's TRY is still 1 from its own boot
    // (the sim's A never had markGood in this test), so every slot is tried: the first in ORDER.
    expect(sim.powerCycle()).toBe('B');
  });

  it('powerCycle falls back to the old slot when the new one was tried and the old one marked good', async () => {
    const sim = fresh();
    await sim.markGood(); // A: TRY=0
    await sim.install(BUNDLE, () => undefined);
    expect(sim.powerCycle()).toBe('B'); // B TRY=1
    expect(sim.powerCycle()).toBe('A'); // B tried, A OK and untried
    expect((await sim.status()).primary).toBe('B'); // ORDER unchanged: RAUC's job to fix it
  });

  it('markGood clears TRY: the slot boots again and again', async () => {
    const sim = fresh();
    await sim.markGood();
    await sim.install(BUNDLE, () => undefined);
    expect(sim.powerCycle()).toBe('B');
    await sim.markGood();
    for (let i = 0; i < 3; i++) {
      expect(sim.powerCycle()).toBe('B');
      await sim.markGood();
    }
  });

  it('markOtherBad: the old slot never boots again, even in a power-cycle storm without markGood', async () => {
    const sim = fresh();
    await sim.markGood();
    await sim.install(BUNDLE, () => undefined);
    expect(sim.powerCycle()).toBe('B');
    await sim.markGood();
    await sim.markOtherBad();
    expect(slot(await sim.status(), 'A').good).toBe(false);
    for (let i = 0; i < 5; i++) expect(sim.powerCycle()).toBe('B');
  });

  it("markActive('booted') after a fallback makes the running slot primary and good", async () => {
    const sim = fresh();
    await sim.markGood();
    await sim.install(BUNDLE, () => undefined);
    sim.powerCycle(); // B tried
    expect(sim.powerCycle()).toBe('A');
    await sim.markActive('booted');
    await sim.markOtherBad();
    const s = await sim.status();
    expect(s.primary).toBe('A');
    expect(slot(s, 'A').good).toBe(true);
    expect(slot(s, 'B').good).toBe(false);
    for (let i = 0; i < 3; i++) expect(sim.powerCycle()).toBe('A');
  });

  it("markActive('other') is a rollback: the other slot primary and good, it boots next", async () => {
    const sim = fresh();
    await sim.markGood();
    await sim.install(BUNDLE, () => undefined);
    expect(sim.powerCycle()).toBe('B');
    await sim.markGood();
    await sim.markOtherBad();
    await sim.markActive('other');
    const s = await sim.status();
    expect(s.primary).toBe('A');
    expect(slot(s, 'A').good).toBe(true);
    expect(sim.powerCycle()).toBe('A');
  });

  it('a corrupt or badly signed bundle writes nothing', async () => {
    const sim = fresh();
    await sim.markGood();
    await sim.install(BUNDLE, () => undefined);
    const before = await sim.status();
    await refused(
      sim.install('/corrupt', () => undefined),
      /verity|hash/,
    );
    await refused(
      sim.install('/bad-sig', () => undefined),
      /signature/,
    );
    await refused(
      sim.install('/other-box', () => undefined),
      /compatible/,
    );
    expect(await sim.status()).toEqual(before);
  });

  it('failNextInstall: the install fails and leaves the target not bootable, the old slot primary', async () => {
    const sim = fresh();
    await sim.markGood();
    sim.failNextInstall = 'power cut while writing';
    const e: unknown = await sim.install(BUNDLE, () => undefined).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BootError);
    expect((e as BootError).code).toBe('failed');
    const s = await sim.status();
    expect(s.primary).toBe('A');
    expect(slot(s, 'B')).toEqual({ name: 'B', good: false, version: null });
    for (let i = 0; i < 3; i++) {
      expect(sim.powerCycle()).toBe('A');
      await sim.markGood();
    }
    // The fault is used once: the next install works.
    await sim.install(BUNDLE, () => undefined);
    expect((await sim.status()).primary).toBe('B');
  });
});
