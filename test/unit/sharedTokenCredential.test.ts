import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { sharedTokenCredential } from '../../src/identity/sharedTokenCredential.js';

const HOUR = 3_600_000;

/** A credential that answers after a tick, counting requests per scope. */
function countingCredential(lifetimeMs = HOUR, clock: { now: number } = { now: 0 }) {
  const calls: Array<{ scopes: string; options?: GetTokenOptions }> = [];
  let failNext = false;
  const credential: TokenCredential = {
    async getToken(scopes, options) {
      const n = calls.push({ scopes: [scopes].flat().join(' '), ...(options ? { options } : {}) });
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failNext) {
        failNext = false;
        throw new Error('identity endpoint unavailable');
      }
      return { token: `token-${n}`, expiresOnTimestamp: clock.now + lifetimeMs } satisfies AccessToken;
    },
  };
  return { credential, calls, clock, failOnce: () => (failNext = true) };
}

describe('sharedTokenCredential', () => {
  it('asks once for concurrent requests of the same scope, and separately per scope', async () => {
    const inner = countingCredential();
    const shared = sharedTokenCredential(inner.credential, () => inner.clock.now);
    const tokens = await Promise.all([shared.getToken('aks/.default'), shared.getToken('aks/.default'), shared.getToken(['aks/.default']), shared.getToken('arm/.default')]);
    expect(inner.calls.map((c) => c.scopes)).toEqual(['aks/.default', 'arm/.default']);
    expect(tokens.map((t) => t?.token)).toEqual(['token-1', 'token-1', 'token-1', 'token-2']);
    expect((await shared.getToken('aks/.default'))?.token).toBe('token-1');
    expect(inner.calls).toHaveLength(2);
  });

  it('renews a token shortly before it expires', async () => {
    const inner = countingCredential(HOUR);
    const shared = sharedTokenCredential(inner.credential, () => inner.clock.now);
    expect((await shared.getToken('aks/.default'))?.token).toBe('token-1');
    inner.clock.now = HOUR - 3 * 60_000;
    expect((await shared.getToken('aks/.default'))?.token).toBe('token-1');
    inner.clock.now = HOUR - 60_000;
    expect((await shared.getToken('aks/.default'))?.token).toBe('token-2');
  });

  it('does not keep a failure: the next request asks again', async () => {
    const inner = countingCredential();
    const shared = sharedTokenCredential(inner.credential, () => inner.clock.now);
    inner.failOnce();
    await expect(shared.getToken('aks/.default')).rejects.toThrow('identity endpoint unavailable');
    expect((await shared.getToken('aks/.default'))?.token).toBe('token-2');
  });

  it('passes requests with claims or a tenant straight through', async () => {
    const inner = countingCredential();
    const shared = sharedTokenCredential(inner.credential, () => inner.clock.now);
    await shared.getToken('arm/.default');
    await shared.getToken('arm/.default', { claims: 'eyJ9' });
    await shared.getToken('arm/.default', { tenantId: 'other' });
    expect(inner.calls).toHaveLength(3);
    expect(inner.calls[1]?.options?.claims).toBe('eyJ9');
  });
});
