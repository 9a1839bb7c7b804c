import { describe, expect, it } from 'vitest';
import { classifyReference, decideDrift, MAX_CLOCK_SKEW_MS, type DriftInput, type TrackingRules } from '../../src/drift/decide.js';
import { parseImageReference } from '../../src/images/imageReference.js';
import { compileTagPattern } from '../../src/images/tagPattern.js';
import type { FindingStatus } from '../../src/model/finding.js';
import type { RegistryLookupResult, TagInfo } from '../../src/model/registry.js';

const OLD = `sha256:${'0'.repeat(64)}`;
const NEW = `sha256:${'1'.repeat(64)}`;
const OTHER = `sha256:${'2'.repeat(64)}`;
const REG = 'myacr.azurecr.io';
const MIN = 60_000;
const GRACE = 3 * MIN;
const NOW = new Date('2024-06-01T12:00:00Z');

const rules: TrackingRules = { registries: new Set([REG, 'localhost:5000']), matchesTagPattern: compileTagPattern('prod-*') };

describe('classifyReference', () => {
  it.each([
    ['myacr.azurecr.io/app:prod-1', { tracked: true, registry: REG, repository: 'app' }],
    ['MYACR.azurecr.io/team/app/api:prod-2', { tracked: true, registry: REG, repository: 'team/app/api' }],
    [`myacr.azurecr.io/app@${OLD}`, { tracked: true, registry: REG, repository: 'app' }],
    [`myacr.azurecr.io/app:prod-1@${OLD}`, { tracked: true, registry: REG, repository: 'app' }],
    ['localhost:5000/app:prod-1', { tracked: true, registry: 'localhost:5000', repository: 'app' }],
    ['myacr.azurecr.io/App:prod-1', { tracked: false, reason: 'invalid image reference: repository name "App" must be lowercase' }],
    ['', { tracked: false, reason: 'invalid image reference: image reference is empty' }],
    ['nginx:prod-1', { tracked: false, reason: 'registry docker.io is not in REGISTRIES' }],
    ['other.azurecr.io/app:prod-1', { tracked: false, reason: 'registry other.azurecr.io is not in REGISTRIES' }],
    ['myacr.azurecr.io/app:dev-1', { tracked: false, reason: 'tag dev-1 does not match TAG_PATTERN' }],
    ['myacr.azurecr.io/app', { tracked: false, reason: 'tag latest does not match TAG_PATTERN' }],
    [`myacr.azurecr.io/app:dev-1@${OLD}`, { tracked: false, reason: 'tag dev-1 does not match TAG_PATTERN' }],
    ['myacr.azurecr.io/app:Prod-1', { tracked: false, reason: 'tag Prod-1 does not match TAG_PATTERN' }],
  ])('%s', (image, verdict) => {
    expect(classifyReference(parseImageReference(image), rules)).toEqual(verdict);
  });

  it('checks the registry before the tag', () => {
    expect(classifyReference(parseImageReference('elsewhere.io/app:dev'), rules)).toEqual({
      tracked: false,
      reason: 'registry elsewhere.io is not in REGISTRIES',
    });
  });
});

function tag(name: string, digest: string, ageMs: number): TagInfo {
  return { name, digest, lastUpdatedOn: new Date(NOW.getTime() - ageMs) };
}

function found(newest: TagInfo): RegistryLookupResult {
  return { kind: 'found', newest, examined: 10 };
}

function decide(image: string, lookup: RegistryLookupResult, extra: Partial<DriftInput> = {}) {
  return decideDrift({ reference: parseImageReference(image), lookup, now: NOW, gracePeriodMs: GRACE, ...extra });
}

describe('decideDrift: lookups without a newest tag', () => {
  it.each<[string, RegistryLookupResult, FindingStatus, string]>([
    ['registry error', { kind: 'error', reason: 'ACR returned 403 Forbidden' }, 'error', 'ACR returned 403 Forbidden'],
    // The registry was asked and named no release: not "untracked" (which would resolve an alert).
    ['unknown repository', { kind: 'unknown-repository' }, 'no-release', 'repository team/app not found in myacr.azurecr.io'],
    ['no matching tag', { kind: 'no-match', examined: 100 }, 'no-release', 'no tag matching TAG_PATTERN among the newest 100 tags'],
  ])('%s', (_label, lookup, status, reason) => {
    expect(decide('myacr.azurecr.io/team/app:prod-1', lookup)).toEqual({ status, reason });
  });

  it('calls an invalid reference untracked without looking at the lookup', () => {
    expect(decide('myacr.azurecr.io/App:prod-1', found(tag('prod-2', NEW, 0)))).toEqual({
      status: 'untracked',
      reason: 'invalid image reference: repository name "App" must be lowercase',
    });
  });
});

interface Case {
  label: string;
  image: string;
  runningDigest?: string;
  newest: TagInfo;
  grace?: number;
  status: FindingStatus;
  reason?: string | RegExp;
}

const CASES: Case[] = [
  // the newest tag, by name
  { label: 'newest tag, digest unknown', image: 'r/app:prod-2', newest: tag('prod-2', NEW, 10 * MIN), status: 'in-sync' },
  { label: 'newest tag, running the newest digest', image: 'r/app:prod-2', runningDigest: NEW, newest: tag('prod-2', NEW, 10 * MIN), status: 'in-sync' },
  { label: 'newest tag, just pushed, digest unknown', image: 'r/app:prod-2', newest: tag('prod-2', NEW, 0), status: 'in-sync' },
  // re-tags: the same digest under another name is not drift
  { label: 're-tag: older tag name, same digest as newest', image: 'r/app:prod-1', runningDigest: NEW, newest: tag('prod-2', NEW, 10 * MIN), status: 'in-sync', reason: 'runs the digest of newest prod-2' },
  { label: 're-tag: digest in the reference equals newest', image: `r/app:prod-1@${NEW}`, newest: tag('prod-2', NEW, 10 * MIN), status: 'in-sync', reason: 'runs the digest of newest prod-2' },
  // digest-pinned images
  { label: 'digest-pinned to the newest digest', image: `r/app@${NEW}`, newest: tag('prod-2', NEW, 10 * MIN), status: 'in-sync', reason: 'runs the digest of newest prod-2' },
  { label: 'digest-pinned to an old digest', image: `r/app@${OLD}`, newest: tag('prod-2', NEW, 2 * 60 * MIN + 5 * MIN), status: 'drift', reason: 'newest prod-2 was pushed 2h 5m ago' },
  { label: 'digest-pinned to an old digest, newest still in grace', image: `r/app@${OLD}`, newest: tag('prod-2', NEW, MIN), status: 'pending', reason: 'newest prod-2 was pushed 1m ago; counts as drift in 2m' },
  { label: 'digest-pinned, running digest wins over the reference', image: `r/app@${OLD}`, runningDigest: NEW, newest: tag('prod-2', NEW, 10 * MIN), status: 'in-sync', reason: 'runs the digest of newest prod-2' },
  // tag + digest
  { label: 'tag+digest, newest tag, newest digest', image: `r/app:prod-2@${NEW}`, newest: tag('prod-2', NEW, 10 * MIN), status: 'in-sync' },
  { label: 'tag+digest, newest tag, old pinned digest', image: `r/app:prod-2@${OLD}`, newest: tag('prod-2', NEW, 10 * MIN), status: 'stale-digest', reason: /^tag prod-2 was pushed again 10m ago \(now sha256:111111111111\); the pod spec pins sha256:000000000000$/ },
  { label: 'tag+digest, older tag, old digest', image: `r/app:prod-1@${OLD}`, newest: tag('prod-2', NEW, 10 * MIN), status: 'drift', reason: 'newest prod-2 was pushed 10m ago' },
  // stale digest: the tag moved and the pods were not restarted
  { label: 'stale digest', image: 'r/app:prod-2', runningDigest: OLD, newest: tag('prod-2', NEW, 26 * 60 * MIN), status: 'stale-digest', reason: 'tag prod-2 was pushed again 1d 2h ago (now sha256:111111111111); pods still run sha256:000000000000' },
  { label: 'stale digest within grace', image: 'r/app:prod-2', runningDigest: OLD, newest: tag('prod-2', NEW, MIN), status: 'pending', reason: /^tag prod-2 was pushed again 1m ago .*pods still run sha256:000000000000; counts as stale in 2m$/ },
  { label: 'stale digest exactly at grace', image: 'r/app:prod-2', runningDigest: OLD, newest: tag('prod-2', NEW, GRACE), status: 'stale-digest', reason: /^tag prod-2 was pushed again 3m ago .*pods still run sha256:000000000000$/ },
  { label: 'stale digest 1 ms before grace', image: 'r/app:prod-2', runningDigest: OLD, newest: tag('prod-2', NEW, GRACE - 1), status: 'pending', reason: /counts as stale in 1ms$/ },
  { label: 'stale digest, running digest differs from pinned', image: `r/app:prod-2@${OTHER}`, runningDigest: OLD, newest: tag('prod-2', NEW, GRACE), status: 'stale-digest', reason: /pods still run sha256:000000000000$/ },
  // drift: runs another tag
  { label: 'older tag, digest unknown', image: 'r/app:prod-1', newest: tag('prod-2', NEW, 2 * 60 * MIN + 5 * MIN), status: 'drift', reason: 'newest prod-2 was pushed 2h 5m ago' },
  { label: 'older tag, old digest', image: 'r/app:prod-1', runningDigest: OLD, newest: tag('prod-789', NEW, 2 * 60 * MIN + 5 * MIN), status: 'drift', reason: 'newest prod-789 was pushed 2h 5m ago' },
  { label: 'older tag, within grace', image: 'r/app:prod-1', newest: tag('prod-2', NEW, 30_000), status: 'pending', reason: 'newest prod-2 was pushed 30s ago; counts as drift in 2m 30s' },
  { label: 'older tag, exactly at grace', image: 'r/app:prod-1', newest: tag('prod-2', NEW, GRACE), status: 'drift', reason: 'newest prod-2 was pushed 3m ago' },
  { label: 'older tag, 1 ms before grace', image: 'r/app:prod-1', newest: tag('prod-2', NEW, GRACE - 1), status: 'pending', reason: 'newest prod-2 was pushed 2m 59s ago; counts as drift in 1ms' },
  { label: 'older tag, grace 0', image: 'r/app:prod-1', newest: tag('prod-2', NEW, 0), grace: 0, status: 'drift', reason: 'newest prod-2 was pushed 0s ago' },
  // clock skew: a push time a little ahead counts as pushed now; far ahead is an error
  { label: 'older tag, newest pushed 1m in the future', image: 'r/app:prod-1', newest: tag('prod-2', NEW, -MIN), status: 'pending', reason: 'newest prod-2 was pushed 0s ago; counts as drift in 3m' },
  { label: 'older tag, newest pushed exactly the allowed skew ahead', image: 'r/app:prod-1', newest: tag('prod-2', NEW, -MAX_CLOCK_SKEW_MS), status: 'pending', reason: 'newest prod-2 was pushed 0s ago; counts as drift in 3m' },
  {
    label: 'older tag, newest pushed beyond the allowed skew',
    image: 'r/app:prod-1',
    newest: tag('prod-2', NEW, -MAX_CLOCK_SKEW_MS - 1),
    status: 'error',
    reason: "the registry's push time of prod-2 (2024-06-01T12:05:00.001Z) is in the future: clock skew? (5m ahead of this host)",
  },
  { label: 'older tag, newest pushed 72 years ahead', image: 'r/app:prod-1', newest: tag('prod-2', NEW, -72 * 365 * 24 * 60 * MIN), status: 'error', reason: /^the registry's push time of prod-2 \(2096-.*\) is in the future: clock skew\?/ },
  { label: 'stale digest, newest pushed beyond the allowed skew', image: 'r/app:prod-2', runningDigest: OLD, newest: tag('prod-2', NEW, -MAX_CLOCK_SKEW_MS - MIN), status: 'error', reason: /is in the future: clock skew\?/ },
  { label: 'runs the newest digest, push time far ahead: in sync whatever the clocks say', image: 'r/app:prod-1', runningDigest: NEW, newest: tag('prod-2', NEW, -60 * MIN), status: 'in-sync', reason: 'runs the digest of newest prod-2' },
];

describe('decideDrift: found', () => {
  it.each(CASES)('$label → $status', ({ image, runningDigest, newest, grace, status, reason }) => {
    const decision = decide(image.replace(/^r\//, `${REG}/`), found(newest), {
      ...(runningDigest !== undefined ? { runningDigest } : {}),
      ...(grace !== undefined ? { gracePeriodMs: grace } : {}),
    });
    expect(decision.status).toBe(status);
    expect(decision.newest).toEqual(newest);
    if (reason === undefined) expect(decision.reason).toBeUndefined();
    else if (typeof reason === 'string') expect(decision.reason).toBe(reason);
    else expect(decision.reason).toMatch(reason);
  });
});
