import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { cappedRetryAfterMs, MAX_RETRY_AFTER_MS, parseRetryAfter, retryAfterMs } from '../../src/util/retryAfter.js';

const now = Date.parse('2026-11-29T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads seconds, fractions of seconds and HTTP dates, in milliseconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', now)).toBe(7_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    // A date already past asks for no wait, not a negative one.
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('answers undefined for an absent or meaningless value', () => {
    for (const value of [undefined, null, '', '   ', 'soon', '1e3']) expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('keeps a day as a day (the cap is the caller\'s business)', () => {
    expect(parseRetryAfter('86400', now)).toBe(86_400_000);
  });
});

describe('retryAfterMs', () => {
  it('prefers the millisecond headers Azure services send, then Retry-After', () => {
    expect(retryAfterMs(createHttpHeaders({ 'retry-after-ms': '250', 'retry-after': '10' }), now)).toBe(250);
    expect(retryAfterMs(createHttpHeaders({ 'x-ms-retry-after-ms': '300', 'retry-after': '10' }), now)).toBe(300);
    expect(retryAfterMs(createHttpHeaders({ 'retry-after-ms': 'soon', 'retry-after': '10' }), now)).toBe(10_000);
    expect(retryAfterMs(createHttpHeaders({ 'retry-after-ms': '-5', 'retry-after': '2' }), now)).toBe(2_000);
    expect(retryAfterMs(createHttpHeaders({}), now)).toBeUndefined();
  });
});

describe('cappedRetryAfterMs', () => {
  it('passes a wait up to the cap and turns a longer one into "too-long"', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(60_000);
    expect(cappedRetryAfterMs(createHttpHeaders({ 'retry-after': '60' }), undefined, now)).toBe(60_000);
    expect(cappedRetryAfterMs(createHttpHeaders({ 'retry-after': '61' }), undefined, now)).toBe('too-long');
    expect(cappedRetryAfterMs(createHttpHeaders({ 'retry-after': '86400' }), undefined, now)).toBe('too-long');
    // Above what a timer can wait (2^31 ms, ~24.8 days): still only "too long", never a number to sleep on.
    expect(cappedRetryAfterMs(createHttpHeaders({ 'retry-after': '3000000' }), undefined, now)).toBe('too-long');
    expect(cappedRetryAfterMs(createHttpHeaders({ 'retry-after': '5' }), 1_000, now)).toBe('too-long');
    expect(cappedRetryAfterMs(createHttpHeaders({}), undefined, now)).toBeUndefined();
  });
});
