/**
 * Waiting that a budget can cut short. Node's timers overflow above 2^31 - 1 ms (they then fire
 * at once, which turns a long wait into a busy loop), so every wait is clamped first.
 */

/** The longest delay `setTimeout` honours. */
export const MAX_TIMER_MS = 2_147_483_647;

/** `ms` clamped to what a timer can wait (never negative, never above MAX_TIMER_MS). */
export function timerMs(ms: number): number {
  if (!Number.isFinite(ms)) return ms > 0 ? MAX_TIMER_MS : 0;
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. The timer never keeps the process alive. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, timerMs(ms));
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
