/**
 * `Retry-After` (seconds or an HTTP date) and the `retry-after-ms` / `x-ms-retry-after-ms`
 * headers Azure services send, in milliseconds. Servers are not trusted with how long we wait:
 * `cappedRetryAfterMs` bounds the answer so a hostile or broken server cannot pause a scan for
 * a day, nor overflow a timer.
 */
import { systemClock } from '../model/clock.js';

/** The longest wait a `Retry-After` may ask of a scan; a longer one counts as a failure now. */
export const MAX_RETRY_AFTER_MS = 60_000;

export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/** Milliseconds from one `Retry-After` value, or undefined when it is absent or not understood. */
export function parseRetryAfter(value: string | null | undefined, now: number = systemClock()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait a response asks for, uncapped: the millisecond headers first, then `Retry-After`. */
export function retryAfterMs(headers: HeaderSource, now: number = systemClock()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const raw = headers.get(name);
    if (raw === null || raw === undefined || raw.trim() === '') continue;
    const ms = Number(raw);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  return parseRetryAfter(headers.get('retry-after'), now);
}

/**
 * The wait a response asks for, or `'too-long'` when it exceeds `max` (callers then fail the
 * request with a reason instead of waiting); undefined when it asks for nothing.
 */
export function cappedRetryAfterMs(headers: HeaderSource, max: number = MAX_RETRY_AFTER_MS, now: number = systemClock()): number | 'too-long' | undefined {
  const ms = retryAfterMs(headers, now);
  if (ms === undefined) return undefined;
  return ms > max ? 'too-long' : ms;
}
