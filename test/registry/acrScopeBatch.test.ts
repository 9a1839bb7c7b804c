import { describe, expect, it } from 'vitest';
import { MAX_SCOPES_PER_TOKEN, ScopeBatch, type ScopeTokenSource } from '../../src/registry/acrScopeBatch.js';

/**
 * A token source that records its requests and answers `token-N`, fails when told to, and,
 * while `held` answers are asked for, keeps each answer until `release()`.
 */
function recordingSource(held: ReadonlyMap<string, string> = new Map()) {
  const requests: string[][] = [];
  const control = { failNext: false, holdAnswers: false };
  const heldAnswers: Array<() => void> = [];
  const source: ScopeTokenSource = {
    held: (repositories) => Promise.resolve(new Map([...held].filter(([repository]) => repositories.includes(repository)))),
    request: async (repositories) => {
      requests.push([...repositories]);
      const token = `token-${requests.length}`;
      if (control.holdAnswers) await new Promise<void>((resolve) => heldAnswers.push(resolve));
      if (control.failNext) {
        control.failNext = false;
        throw new Error('token request failed');
      }
      return token;
    },
  };
  const release = (): void => heldAnswers.splice(0).forEach((answer) => answer());
  return { source, requests, control, release };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('scope batching', () => {
  it('asks once for the repositories of one tick, split above the scope limit, and again in a later tick', async () => {
    const { source, requests } = recordingSource();
    const batch = new ScopeBatch(source);
    const repositories = Array.from({ length: MAX_SCOPES_PER_TOKEN + 5 }, (_, i) => `team/app-${i}`);
    const tokens = await Promise.all(repositories.map((r) => batch.token(r)));
    expect(requests.map((r) => r.length)).toEqual([MAX_SCOPES_PER_TOKEN, 5]);
    expect(new Set(tokens)).toEqual(new Set(['token-1', 'token-2']));
    await batch.token('team/later');
    expect(requests.at(-1)).toEqual(['team/later']);
  });

  it('lets a repository whose token is on its way join that request', async () => {
    const { source, requests, control, release } = recordingSource();
    control.holdAnswers = true;
    const batch = new ScopeBatch(source);
    const first = batch.token('team/app');
    await tick();
    expect(requests).toEqual([['team/app']]);
    const second = batch.token('team/app');
    await tick();
    release();
    expect(await Promise.all([first, second])).toEqual(['token-1', 'token-1']);
    expect(requests).toEqual([['team/app']]);
  });

  it('asks nothing for a repository whose token is already held', async () => {
    const { source, requests } = recordingSource(new Map([['team/held', 'held-token']]));
    const batch = new ScopeBatch(source);
    expect(await Promise.all([batch.token('team/held'), batch.token('team/new')])).toEqual(['held-token', 'token-1']);
    expect(requests).toEqual([['team/new']]);
  });

  it('fails the repositories of a failed request and asks again on the next call', async () => {
    const { source, requests, control } = recordingSource();
    const batch = new ScopeBatch(source);
    control.failNext = true;
    await expect(batch.token('team/app')).rejects.toThrow('token request failed');
    expect(await batch.token('team/app')).toBe('token-2');
    expect(requests).toEqual([['team/app'], ['team/app']]);
  });

  it('keeps a repository forgotten before its batch was sent in that batch', async () => {
    const { source, requests } = recordingSource();
    const batch = new ScopeBatch(source);
    const first = batch.token('team/app');
    batch.forget('team/app');
    const second = batch.token('team/app');
    expect(await Promise.all([first, second])).toEqual(['token-1', 'token-1']);
    expect(requests).toEqual([['team/app']]);
  });

  it('asks again for a repository forgotten while its token was on its way', async () => {
    const { source, requests, control, release } = recordingSource();
    control.holdAnswers = true;
    const batch = new ScopeBatch(source);
    const first = batch.token('team/app');
    await tick();
    batch.forget('team/app');
    const second = batch.token('team/app');
    await tick();
    release();
    expect(await Promise.all([first, second])).toEqual(['token-1', 'token-2']);
    expect(requests).toEqual([['team/app'], ['team/app']]);
  });

  it('fails the whole batch when the held tokens cannot be looked up', async () => {
    const batch = new ScopeBatch({ held: () => Promise.reject(new Error('no identity')), request: () => Promise.resolve('unused') });
    const answers = await Promise.allSettled([batch.token('team/a'), batch.token('team/b')]);
    expect(answers.map((a) => a.status === 'rejected' && (a.reason as Error).message)).toEqual(['no identity', 'no identity']);
  });
});
