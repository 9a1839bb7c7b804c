import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from '../../src/util/concurrencyLimit.js';

describe('createConcurrencyLimit', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    const limit = createConcurrencyLimit(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setImmediate(r));
          active -= 1;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('hands a freed slot to the waiting task, not to one that arrives while it wakes up', async () => {
    // A newcomer that arrives a few microtasks after a task ends, whatever the exact count.
    for (let ticks = 1; ticks <= 6; ticks += 1) {
      const limit = createConcurrencyLimit(1);
      let active = 0;
      let peak = 0;
      const run = (then?: () => void) =>
        limit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setImmediate(r));
          active -= 1;
          then?.();
        });
      let newcomer: Promise<void> | undefined;
      const arriveLater = (): void => {
        let p = Promise.resolve();
        for (let i = 0; i < ticks; i += 1) p = p.then(() => undefined);
        newcomer = p.then(() => run());
      };
      await Promise.all([run(arriveLater), run()]);
      await newcomer;
      expect({ ticks, peak }).toEqual({ ticks, peak: 1 });
    }
  });

  it('frees the slot when a task fails', async () => {
    const limit = createConcurrencyLimit(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
