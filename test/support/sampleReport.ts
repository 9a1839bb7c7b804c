/** A drifted finding and a one-cluster report around it, as the CLI and Slack text tests use them. */
import { countStatuses, type Finding, type ScanReport } from '../../src/model/finding.js';

export function finding(overrides: Partial<Finding>): Finding {
  return {
    namespace: 'payments',
    workload: { kind: 'Deployment', name: 'worker' },
    container: 'worker',
    image: 'hmctsprod.azurecr.io/my-repo/service:prod-456',
    registry: 'hmctsprod.azurecr.io',
    repository: 'my-repo/service',
    deployedTag: 'prod-456',
    deployedDigest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    latestTag: 'prod-789',
    latestDigest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
    latestUpdatedAt: '2026-01-06T16:40:15.123Z',
    status: 'drift',
    channel: 'payments-alerts',
    pods: 3,
    ...overrides,
  };
}

export function report(findings: Finding[], failed = false): ScanReport {
  return {
    startedAt: '2026-01-06T17:00:00.000Z',
    finishedAt: '2026-01-06T17:00:01.000Z',
    clusters: [{ name: 'prod-aks', ok: true, findings, pods: 3, durationMs: 10 }, ...(failed ? [{ name: 'x', ok: false, error: 'HTTP 403', findings: [], pods: 0, durationMs: 1 }] : [])],
    summary: { ...countStatuses(findings), clusters: failed ? 2 : 1, clustersFailed: failed ? 1 : 0, pods: 3 },
  };
}
