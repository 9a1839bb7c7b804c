import { afterEach, describe, expect, it } from 'vitest';
import { abortableSleep, MAX_TIMER_MS, timerMs } from '../../src/util/abortableSleep.js';

const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('timerMs', () => {
  it('clamps a wait to what a timer can honour', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    expect(timerMs(1.2)).toBe(2);
    expect(timerMs(-5)).toBe(0);
    expect(timerMs(Number.NaN)).toBe(0);
    expect(timerMs(2 ** 40)).toBe(MAX_TIMER_MS);
    expect(timerMs(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(timerMs(Number.NEGATIVE_INFINITY)).toBe(0);
  });
});

describe('abortableSleep', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('resolves after the wait', async () => {
    const order: string[] = [];
    await Promise.all([abortableSleep(30).then(() => order.push('sleep')), tick(5).then(() => order.push('earlier timer'))]);
    expect(order).toEqual(['earlier timer', 'sleep']);
  });

  it('rejects with the signal\'s reason when it aborts, at once when it already has', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    const reason = new Error('the run is over');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    await expect(abortableSleep(10, controller.signal)).rejects.toBe(reason);
  });

  it('waits a wait beyond the timer maximum as the maximum: no overflow, no busy loop', async () => {
    process.on('warning', onWarning);
    const controller = new AbortController();
    let settled = false;
    const sleeping = abortableSleep(86_400_000 * 365, controller.signal).finally(() => (settled = true));
    await tick(50);
    // Node turns an overflowing delay into 1 ms (a TimeoutOverflowWarning); the clamp prevents that.
    expect(settled).toBe(false);
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
    controller.abort(new Error('done'));
    await expect(sleeping).rejects.toThrow('done');
  });

  it('never keeps the process alive', async () => {
    const before = activeTimers();
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    expect(activeTimers()).toBe(before);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
  });
});
