import { describe, expect, it } from 'vitest';
import { RequestSlots } from '../../src/registry/requestSlots.js';

/** A promise and its resolver, to hold work open until a test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('RequestSlots', () => {
  it('runs at most `limit` holders at once, in arrival order', async () => {
    const slots = new RequestSlots(2);
    const started: number[] = [];
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g, i) =>
      slots.hold(async () => {
        started.push(i);
        await g.opened;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[1]?.open();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.open();
    gates[2]?.open();
    await Promise.all(runs);
  });

  it('gives the slot to another holder while one waits, and takes its turn again after', async () => {
    const slots = new RequestSlots(1);
    const events: string[] = [];
    const waited = gate();
    const first = slots.hold(async (slot) => {
      events.push('first sends');
      await slot.without(() => waited.opened);
      events.push('first sends again');
    });
    const second = slots.hold(async () => {
      events.push('second sends');
      waited.open();
      await new Promise((resolve) => setImmediate(resolve));
      events.push('second done');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first sends', 'second sends', 'second done', 'first sends again']);
  });

  it('keeps its count when a wait fails: the failed holder has no slot to give back', async () => {
    const slots = new RequestSlots(1);
    await expect(slots.hold((slot) => slot.without(() => Promise.reject(new Error('deadline'))))).rejects.toThrow('deadline');
    const order: string[] = [];
    const a = gate();
    const held = slots.hold(async () => {
      order.push('a');
      await a.opened;
    });
    const queued = slots.hold(async () => {
      order.push('b');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a']); // still one slot, not two
    a.open();
    await Promise.all([held, queued]);
    expect(order).toEqual(['a', 'b']);
  });
});
