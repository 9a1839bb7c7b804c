/**
 * How a delivery adds up what its steps counted: every count summed, failures of one stage and
 * reason as one entry in the order they first occurred, and the fields in the result's own
 * order (the functions log the result as it is).
 */
import { describe, expect, it } from 'vitest';
import { deliveryProblem, emptyDeliveryResult, sumCounts } from '../../src/alerts/deliveryResult.js';

describe('sumCounts', () => {
  it('adds the steps’ counts and groups their failures by stage and reason, first occurrence first', () => {
    const claims = { skipped: 2, failed: 1, stateErrors: 1, failures: [{ stage: 'claim' as const, reason: 'HTTP 400', items: 1 }] };
    const firstBatch = { sent: 3, new: 2, reminders: 1, messages: 1, failed: 2, failures: [{ stage: 'post' as const, reason: 'http_500', items: 2 }] };
    const secondBatch = { sent: 1, resolved: 1, fallbacks: 1, messages: 1, failed: 1, failures: [{ stage: 'post' as const, reason: 'http_500', items: 1 }] };
    const release = { stateErrors: 1, failures: [{ stage: 'release' as const, reason: 'HTTP 400', items: 1 }] };

    const total = sumCounts({ unchanged: 4, skipped: 1 }, claims, firstBatch, secondBatch, release);

    expect(total).toEqual({
      ...emptyDeliveryResult(),
      sent: 4,
      new: 2,
      reminders: 1,
      resolved: 1,
      failed: 4,
      stateErrors: 2,
      failures: [
        { stage: 'claim', reason: 'HTTP 400', items: 1 },
        { stage: 'post', reason: 'http_500', items: 3 },
        { stage: 'release', reason: 'HTTP 400', items: 1 },
      ],
      messages: 2,
      skipped: 3,
      unchanged: 4,
      fallbacks: 1,
    });
    expect(Object.keys(total)).toEqual(Object.keys(emptyDeliveryResult()));
    expect(firstBatch.failures).toEqual([{ stage: 'post', reason: 'http_500', items: 2 }]);
    expect(deliveryProblem(total)).toBe('4 alert item(s) not delivered, 2 alert state write(s) failed: claim HTTP 400 (1), post http_500 (3), release HTTP 400 (1)');
  });

  it('of no steps is the empty result, which leaves nothing undone', () => {
    expect(sumCounts()).toEqual(emptyDeliveryResult());
    expect(deliveryProblem(sumCounts({ sent: 1, new: 1, messages: 1 }))).toBeNull();
  });
});
