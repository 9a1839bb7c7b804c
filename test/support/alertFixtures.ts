/** Building blocks for the alert tests: findings, scan reports, stored records, a settable clock, a log sink. */
import { alertKeyOf } from '../../src/alerts/alertKey.js';
import type { Logger } from '../../src/log/logger.js';
import type { AlertRecord } from '../../src/model/alert.js';
import type { Clock } from '../../src/model/clock.js';
import { countStatuses, type ClusterReport, type Finding, type FindingStatus, type ScanReport } from '../../src/model/finding.js';

export const T0 = new Date('2026-03-02T09:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface FindingSpec {
  namespace?: string;
  name: string;
  kind?: string;
  container?: string;
  repository?: string;
  deployedTag?: string | null;
  deployedDigest?: string | null;
  latestTag?: string | null;
  latestDigest?: string | null;
  latestUpdatedAt?: string | null;
  status?: FindingStatus;
  channel?: string | null;
}

/** A drifted Deployment by default: runs prod-456, newest prod-789 pushed two hours before T0. */
export function finding(spec: FindingSpec): Finding {
  const repository = spec.repository ?? `team/${spec.name}`;
  const deployedTag = spec.deployedTag === undefined ? 'prod-456' : spec.deployedTag;
  return {
    namespace: spec.namespace ?? 'payments',
    workload: { kind: spec.kind ?? 'Deployment', name: spec.name },
    container: spec.container ?? 'app',
    image: `myacr.azurecr.io/${repository}${deployedTag ? `:${deployedTag}` : ''}`,
    registry: 'myacr.azurecr.io',
    repository,
    deployedTag,
    deployedDigest: spec.deployedDigest === undefined ? `sha256:${'a'.repeat(64)}` : spec.deployedDigest,
    latestTag: spec.latestTag === undefined ? 'prod-789' : spec.latestTag,
    latestDigest: spec.latestDigest === undefined ? `sha256:${'b'.repeat(64)}` : spec.latestDigest,
    latestUpdatedAt: spec.latestUpdatedAt === undefined ? new Date(T0.getTime() - 2 * HOUR).toISOString() : spec.latestUpdatedAt,
    status: spec.status ?? 'drift',
    channel: spec.channel === undefined ? 'team-a' : spec.channel,
    pods: 2,
  };
}

/** The same workload, caught up with the newest tag. */
export function caughtUp(f: Finding): Finding {
  return { ...f, deployedTag: f.latestTag, deployedDigest: f.latestDigest, image: `${f.registry}/${f.repository}:${f.latestTag}`, status: 'in-sync' };
}

/** The record of a lagging `f` as first stored: channel team-a, target prod-789, never announced, unclaimed. */
export function alertRecord(clusterName: string, f: Finding, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    ...alertKeyOf(clusterName, f),
    channel: 'team-a',
    finding: f,
    target: 'prod-789',
    laggingSince: T0.toISOString(),
    announcedTarget: null,
    lastSentAt: null,
    thread: null,
    claim: null,
    ...over,
  };
}

export function cluster(name: string, findings: Finding[], ok = true): ClusterReport {
  return { name, ok, ...(ok ? {} : { error: 'connection refused' }), findings, pods: findings.length, durationMs: 10 };
}

export function report(...clusters: ClusterReport[]): ScanReport {
  const findings = clusters.flatMap((c) => c.findings);
  return {
    startedAt: T0.toISOString(),
    finishedAt: T0.toISOString(),
    clusters,
    summary: {
      ...countStatuses(findings),
      clusters: clusters.length,
      clustersFailed: clusters.filter((c) => !c.ok).length,
      pods: findings.length,
    },
  };
}

export class TestClock {
  private current: number;
  constructor(start: Date = T0) {
    this.current = start.getTime();
  }
  readonly now: Clock = () => this.current;
  /** The clock's time as a Date. */
  date(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Records every sleep instead of sleeping. */
export function fakeSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push(`${level} ${message} ${fields ? JSON.stringify(fields) : ''}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
