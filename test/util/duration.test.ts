import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['000', 0],
    ['0s', 0],
    ['500ms', 500],
    ['90s', 90 * S],
    ['3m', 3 * M],
    ['1h', H],
    ['2d', 2 * D],
    ['1h30m', H + 30 * M],
    ['1h 30m', H + 30 * M],
    ['1d2h3m4s5ms', D + 2 * H + 3 * M + 4 * S + 5],
    ['1.5h', 90 * M],
    ['.5s', 500],
    ['  3m  ', 3 * M],
    ['3M', 3 * M],
    ['1H30M', H + 30 * M],
    ['1m500ms', M + 500],
  ])('%j → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['180', /has no unit; write e\.g\. 180s or 180m/],
    ['1.5', /has no unit/],
    ['-3m', /negative/],
    ['3 minutes', /not understood at "inutes"/],
    ['1h30', /not understood at "30"/],
    ['3w', /not understood at "3w"/],
    ['30m1h', /each unit once, largest first/],
    ['1m1m', /each unit once, largest first/],
    ['PT3M', /not understood/],
    ['m', /not understood/],
    ['99999999999999d', /too long/],
  ])('%j is rejected: %s', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });

  it('throws an Error naming the value and showing examples', () => {
    expect(() => parseDuration('soon')).toThrow(Error);
    expect(() => parseDuration('soon')).toThrow(/"soon".*e\.g\. 90s, 3m/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [500, '500ms'],
    [999, '999ms'],
    [S, '1s'],
    [45 * S, '45s'],
    [45 * S + 999, '45s'],
    [90 * S, '1m 30s'],
    [3 * M, '3m'],
    [3 * M + 500, '3m'],
    [H + 5 * M, '1h 5m'],
    [H + 5 * M + 59 * S, '1h 5m'],
    [2 * H + 59 * M + 59 * S, '2h 59m'],
    [H + 30 * S, '1h'],
    [2 * D + 3 * H, '2d 3h'],
    [2 * D + 30 * M, '2d'],
    [400 * D, '400d'],
    [-(2 * M), '-2m'],
    [1.7, '1ms'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([['3m'], ['1h 5m'], ['2d 3h'], ['45s'], ['500ms']])('%s round-trips through parseDuration', (text) => {
    expect(formatDuration(parseDuration(text))).toBe(text);
  });
});

describe('parseDuration: long input', () => {
  it.each([
    ['an unknown unit', `${'1'.repeat(100_000)}x`],
    ['no unit', '1'.repeat(100_000)],
    ['a negative value', `-${'9'.repeat(100_000)}m`],
    ['units out of order', `1s${'1'.repeat(100_000)}h`],
    ['a value too large', `${'1'.repeat(400)}d`],
  ])('quotes only the start of a long value with %s', (_label, text) => {
    expect(() => parseDuration(text)).toThrow(/…" \(\d{3,} characters\)/);
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^.{1,400}$/s) }));
  });
});
