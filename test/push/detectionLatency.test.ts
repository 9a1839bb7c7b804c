import { describe, expect, it } from 'vitest';
import { detectionLatencyMs } from '../../src/push/detectionLatency.js';

describe('detectionLatencyMs', () => {
  const push = { pushedAt: '2026-11-29T10:00:00.000Z', gracePeriodMs: 180_000 };

  it('is the time past push time + grace period', () => {
    expect(detectionLatencyMs(push, Date.parse('2026-11-29T10:03:04.250Z'))).toBe(4_250);
  });

  it('is negative for a check done before the grace period ended', () => {
    expect(detectionLatencyMs(push, Date.parse('2026-11-29T10:02:59.000Z'))).toBe(-1_000);
  });

  it('reads the push time with its offset', () => {
    expect(detectionLatencyMs({ pushedAt: '2026-11-29T11:00:00+01:00', gracePeriodMs: 0 }, Date.parse('2026-11-29T10:00:01Z'))).toBe(1_000);
  });
});
