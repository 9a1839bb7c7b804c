/** What a scan's report puts in the push index (pure). */
import { describe, expect, it } from 'vitest';
import type { ClusterReport, Finding, FindingSettings } from '../../src/model/finding.js';
import { MAX_USES_PER_ENTRY, indexEntriesOf } from '../../src/push/pushIndex.js';

const REGISTRIES = new Set(['contoso.azurecr.io']);
const defaults = { tagPattern: 'prod-*', gracePeriodMs: 180_000 };

function finding(repository: string | null, status: Finding['status'], extra: Partial<Finding> = {}): Finding {
  return {
    namespace: 'ns',
    workload: { kind: 'Deployment', name: `w-${repository}-${status}` },
    container: 'c',
    image: `contoso.azurecr.io/${repository}:prod-1`,
    registry: 'contoso.azurecr.io',
    repository,
    deployedTag: 'prod-1',
    deployedDigest: null,
    latestTag: null,
    latestDigest: null,
    latestUpdatedAt: null,
    status,
    channel: null,
    pods: 1,
    ...extra,
  };
}

function settings(tagPattern: string, ms: number, track = true): FindingSettings {
  return {
    channel: { value: null, from: 'default' },
    tagPattern: { value: tagPattern, from: 'namespace annotation' },
    gracePeriod: { value: `${ms}ms`, ms, from: 'workload annotation' },
    track: { value: track, from: 'default' },
  };
}

const cluster = (findings: Finding[]): ClusterReport => ({ name: 'prod', ok: true, findings, pods: findings.length, durationMs: 1 });

describe('indexEntriesOf', () => {
  it('lists each repository the registry was asked about once, with TAG_PATTERN and GRACE_PERIOD for findings without settings', () => {
    const entries = indexEntriesOf(
      cluster([finding('b/app', 'drift'), finding('a/app', 'in-sync'), finding('a/app', 'no-release'), finding('c/app', 'untracked'), finding(null, 'error'), finding('d/app', 'error', { registry: 'docker.io' })]),
      REGISTRIES,
      defaults,
    );
    expect(entries).toEqual([
      { registry: 'contoso.azurecr.io', repository: 'a/app', uses: [{ tagPattern: 'prod-*', gracePeriodMs: 180_000 }], overflow: false, longestGraceMs: 180_000 },
      { registry: 'contoso.azurecr.io', repository: 'b/app', uses: [{ tagPattern: 'prod-*', gracePeriodMs: 180_000 }], overflow: false, longestGraceMs: 180_000 },
    ]);
  });

  it("records each workload's own tag pattern and grace period (Finding.settings), and leaves out workloads not watched", () => {
    const entries = indexEntriesOf(
      cluster([
        finding('a/app', 'in-sync', { settings: settings('release-*', 60_000) }),
        finding('a/app', 'drift', { settings: settings('prod-*', 600_000) }),
        finding('a/app', 'pending', { settings: settings('prod-*', 600_000) }),
        finding('b/app', 'drift', { settings: settings('prod-*', 60_000, false) }),
      ]),
      REGISTRIES,
      defaults,
    );
    expect(entries).toEqual([
      {
        registry: 'contoso.azurecr.io',
        repository: 'a/app',
        uses: [
          { tagPattern: 'release-*', gracePeriodMs: 60_000 },
          { tagPattern: 'prod-*', gracePeriodMs: 600_000 },
        ],
        overflow: false,
        longestGraceMs: 600_000,
      },
    ]);
  });

  it('keeps a row bounded: past MAX_USES_PER_ENTRY distinct settings it says "any tag, the longest grace"', () => {
    const many = Array.from({ length: MAX_USES_PER_ENTRY + 1 }, (_, i) => finding('a/app', 'in-sync', { settings: settings(`p${i}-*`, 1000 * (i + 1)) }));
    expect(indexEntriesOf(cluster(many), REGISTRIES, defaults)).toEqual([
      { registry: 'contoso.azurecr.io', repository: 'a/app', uses: [], overflow: true, longestGraceMs: 1000 * (MAX_USES_PER_ENTRY + 1) },
    ]);
  });
});
