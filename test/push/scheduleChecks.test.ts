import { describe, expect, it } from 'vitest';
import { MAX_VISIBILITY_SECONDS, visibilityDelaySeconds } from '../../src/push/scheduleChecks.js';

describe('visibilityDelaySeconds', () => {
  it('holds a check back until it is due, rounded up so that it is never early', () => {
    expect(visibilityDelaySeconds(10_001, 0)).toBe(11);
    expect(visibilityDelaySeconds(10_000, 0)).toBe(10);
  });

  it('makes a check that is already due visible at once (an event that waited in the queue)', () => {
    expect(visibilityDelaySeconds(1_000, 5_000)).toBe(0);
  });

  it("stays within the queue's 7-day limit", () => {
    expect(visibilityDelaySeconds(8 * 86_400_000, 0)).toBe(MAX_VISIBILITY_SECONDS);
  });
});
