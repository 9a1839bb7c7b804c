import { describe, expect, it } from 'vitest';
import { emptyDeliveryResult } from '../../src/alerts/deliveryResult.js';
import { exitCodeFor } from '../../src/cli/main.js';
import { finding, report } from '../support/sampleReport.js';

describe('CLI report', () => {
  it.each([
    [[finding({ status: 'in-sync' }), finding({ status: 'pending' }), finding({ status: 'untracked' }), finding({ status: 'no-release' })], false, 0],
    [[finding({ status: 'drift' })], false, 1],
    [[finding({ status: 'stale-digest' })], false, 1],
    [[finding({ status: 'drift' }), finding({ status: 'error' })], false, 2],
    [[finding({ status: 'in-sync' })], true, 2],
  ] as const)('exit code for %j (failed cluster: %s) is %d', (findings, failed, code) => {
    expect(exitCodeFor(report([...findings], failed))).toBe(code);
  });

  it('exits 2 when alerts could not be delivered, whatever the findings', () => {
    const delivered = { ...emptyDeliveryResult(), sent: 1, new: 1 };
    expect(exitCodeFor(report([finding({ status: 'drift' })]), delivered)).toBe(1);
    expect(exitCodeFor(report([finding({ status: 'drift' })]), { ...delivered, failed: 1, failures: [{ stage: 'post', reason: 'http_503', items: 1 }] })).toBe(2);
    expect(exitCodeFor(report([finding({ status: 'in-sync' })]), { ...delivered, stateErrors: 1 })).toBe(2);
    expect(exitCodeFor(report([finding({ status: 'in-sync' })]), { ...emptyDeliveryResult(), error: 'alert state could not be read' })).toBe(2);
  });
});

