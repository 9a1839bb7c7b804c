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

/** A credential whose answers the test gives by hand, keeping each request's abort signal. */
function manualCredential() {
  const requests: Array<{ signal: AbortSignal | undefined; answer: (token: AccessToken) => void }> = [];
  const credential: TokenCredential = {
    getToken(_scopes, options) {
      return new Promise<AccessToken>((resolve) => requests.push({ signal: options?.abortSignal as AbortSignal | undefined, answer: resolve }));
    },
  };
  return { credential, requests };
}

describe('sharedTokenCredential and cancellation', () => {
  it('lets a caller stop waiting on its own signal while the others still get the shared token', async () => {
    const inner = manualCredential();
    const shared = sharedTokenCredential(inner.credential);
    const budget = new AbortController();
    const impatient = shared.getToken('aks/.default', { abortSignal: budget.signal });
    const patient = shared.getToken('aks/.default');
    budget.abort(new Error('cluster budget over'));
    await expect(impatient).rejects.toThrow('cluster budget over');
    expect(inner.requests).toHaveLength(1);
    expect(inner.requests[0]?.signal?.aborted).toBe(false); // someone still waits for it
    inner.requests[0]?.answer({ token: 'token-1', expiresOnTimestamp: Date.now() + HOUR });
    expect((await patient)?.token).toBe('token-1');
  });

  it('cancels the shared request when every caller has stopped waiting, and asks afresh later', async () => {
    const inner = manualCredential();
    const shared = sharedTokenCredential(inner.credential);
    const first = new AbortController();
    const second = new AbortController();
    const waits = [shared.getToken('arm/.default', { abortSignal: first.signal }), shared.getToken('arm/.default', { abortSignal: second.signal })];
    first.abort(new Error('first gave up'));
    expect(inner.requests[0]?.signal?.aborted).toBe(false);
    second.abort(new Error('second gave up'));
    await expect(waits[0]).rejects.toThrow('first gave up');
    await expect(waits[1]).rejects.toThrow('second gave up');
    expect(inner.requests[0]?.signal?.aborted).toBe(true);
    const later = shared.getToken('arm/.default');
    expect(inner.requests).toHaveLength(2);
    inner.requests[1]?.answer({ token: 'token-2', expiresOnTimestamp: Date.now() + HOUR });
    expect((await later)?.token).toBe('token-2');
  });

  it('gives up on a shared request that outlasts its own time limit, and says so', async () => {
    const inner = manualCredential();
    const shared = sharedTokenCredential(inner.credential, Date.now, 50);
    await expect(shared.getToken('acr/.default')).rejects.toThrow('the identity gave no token for acr/.default within 50ms');
    expect(inner.requests[0]?.signal?.aborted).toBe(true);
  });

  it('refuses at once a caller whose signal has already aborted', async () => {
    const inner = manualCredential();
    const shared = sharedTokenCredential(inner.credential);
    await expect(shared.getToken('aks/.default', { abortSignal: AbortSignal.abort(new Error('run over')) })).rejects.toThrow('run over');
  });
});
