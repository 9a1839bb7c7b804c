/** Which clusters a push makes the app check, and when (pure). */
import { describe, expect, it } from 'vitest';
import { compileTagPattern } from '../../src/images/tagPattern.js';
import type { ImagePush } from '../../src/model/push.js';
import { CHECK_MARGIN_MS, planPushChecks, type CandidateCluster } from '../../src/push/planChecks.js';
import type { IndexEntry } from '../../src/push/pushIndex.js';

const MIN = 60_000;
const PUSHED_AT = '2026-11-30T10:00:00.000Z';
const T = Date.parse(PUSHED_AT);
const push: ImagePush = { eventId: 'e1', registry: 'contoso.azurecr.io', repository: 'payments/worker', tag: 'prod-790', digest: null, pushedAt: PUSHED_AT };
const defaults = { tagPattern: 'prod-*', gracePeriodMs: 3 * MIN };
const matches = (pattern: string, tag: string) => compileTagPattern(pattern)(tag);

function entry(uses: Array<[string, number]>, overflow = false): IndexEntry {
  return { registry: push.registry, repository: push.repository, uses: uses.map(([tagPattern, gracePeriodMs]) => ({ tagPattern, gracePeriodMs })), overflow, longestGraceMs: Math.max(...uses.map((u) => u[1])) };
}
const runs = (name: string, e: IndexEntry): CandidateCluster => ({ resourceId: `/id/${name}`, name, state: 'runs', entry: e });
const notRunning = (name: string): CandidateCluster => ({ resourceId: `/id/${name}`, name, state: 'not-running' });
const unindexed = (name: string): CandidateCluster => ({ resourceId: `/id/${name}`, name, state: 'unindexed' });

describe('planPushChecks', () => {
  it('checks exactly the clusters that ran the repository, at push time + grace + margin', () => {
    const plan = planPushChecks(push, [runs('prod', entry([['prod-*', 3 * MIN]])), notRunning('staging'), runs('dr', entry([['prod-*', 3 * MIN]]))], defaults, matches);
    expect(plan).toEqual({
      basis: 'index',
      checks: [
        { resourceId: '/id/prod', name: 'prod', gracePeriodMs: 3 * MIN, dueAt: T + 3 * MIN + CHECK_MARGIN_MS },
        { resourceId: '/id/dr', name: 'dr', gracePeriodMs: 3 * MIN, dueAt: T + 3 * MIN + CHECK_MARGIN_MS },
      ],
    });
  });

  it('schedules one check per distinct grace period whose pattern matches the tag, and none for the others', () => {
    const plan = planPushChecks(push, [runs('prod', entry([['prod-*', 10 * MIN], ['prod-*', MIN], ['prod-*', MIN], ['release-*', 30 * MIN]]))], defaults, matches);
    expect(plan).toMatchObject({ checks: [{ name: 'prod', gracePeriodMs: MIN }, { name: 'prod', gracePeriodMs: 10 * MIN }] });
  });

  it('drops a tag that matches no pattern in use for the repository, naming the patterns', () => {
    const plan = planPushChecks({ ...push, tag: 'main-1234' }, [runs('prod', entry([['prod-*', MIN], ['release-*', MIN]]))], defaults, matches);
    expect(plan).toEqual({ dropped: 'tag main-1234 of contoso.azurecr.io/payments/worker matches no tag pattern in use for it (prod-*, release-*)' });
  });

  it('takes every tag, with the longest grace, for a repository used with more settings than a row keeps', () => {
    const plan = planPushChecks({ ...push, tag: 'anything' }, [runs('prod', { ...entry([['x', 7 * MIN]]), uses: [], overflow: true })], defaults, matches);
    expect(plan).toMatchObject({ checks: [{ name: 'prod', gracePeriodMs: 7 * MIN }] });
  });

  it('checks a cluster with no index once, at the longest grace in use or GRACE_PERIOD', () => {
    const plan = planPushChecks(push, [runs('prod', entry([['prod-*', MIN]])), unindexed('new'), notRunning('staging')], defaults, matches);
    expect(plan).toMatchObject({ checks: [{ name: 'prod', gracePeriodMs: MIN }, { name: 'new', gracePeriodMs: 3 * MIN }] });
    const longer = planPushChecks(push, [runs('prod', entry([['prod-*', 9 * MIN]])), unindexed('new')], defaults, matches);
    expect(longer).toMatchObject({ checks: [{ name: 'prod', gracePeriodMs: 9 * MIN }, { name: 'new', gracePeriodMs: 9 * MIN }] });
  });

  it('checks every cluster once at push time + GRACE_PERIOD when no index row knows the repository, if the tag matches TAG_PATTERN', () => {
    const clusters = [notRunning('prod'), unindexed('new')];
    expect(planPushChecks(push, clusters, defaults, matches)).toEqual({
      basis: 'unknown repository',
      checks: [
        { resourceId: '/id/prod', name: 'prod', gracePeriodMs: 3 * MIN, dueAt: T + 3 * MIN + CHECK_MARGIN_MS },
        { resourceId: '/id/new', name: 'new', gracePeriodMs: 3 * MIN, dueAt: T + 3 * MIN + CHECK_MARGIN_MS },
      ],
    });
    expect(planPushChecks({ ...push, tag: 'dev-1' }, clusters, defaults, matches)).toEqual({ dropped: expect.stringContaining('matches no tag pattern in use for it (prod-*)') });
  });
});
