/**
 * Every metric the app emits, with its kind, unit and dimensions: the one list the instruments
 * are made from and the workbook's queries are checked against (test/infra/workbook.test.ts), so
 * renaming a metric or a dimension cannot silently empty a chart.
 *
 * Dimensions stay few and low-cardinality (cluster, namespace, team channel, status, registry
 * host, a result): never a pod name, tag, digest or image reference. In Application Insights a
 * metric is a row of `customMetrics` with this `name`, its dimensions in `customDimensions`.
 */

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  kind: MetricKind;
  unit: string;
  description: string;
  dimensions: readonly string[];
}

export const METRICS = {
  findings: {
    name: 'acrsync.findings',
    kind: 'gauge',
    unit: '{workload}',
    description: 'Findings of the latest scan of a cluster, per namespace, team channel and status (only the combinations that occur)',
    dimensions: ['cluster', 'namespace', 'channel', 'status'],
  },
  oldestLagAge: {
    name: 'acrsync.drift.oldest_age',
    kind: 'gauge',
    unit: 's',
    description: 'How long the longest-lagging workload of a cluster (drift or stale-digest) has lagged: since its newest release was pushed; 0 when none lags',
    dimensions: ['cluster'],
  },
  scanDuration: {
    name: 'acrsync.scan.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time one cluster took to scan, from its turn to its findings; ok is "false" when it could not be scanned',
    dimensions: ['cluster', 'ok'],
  },
  pods: {
    name: 'acrsync.cluster.pods',
    kind: 'gauge',
    unit: '{pod}',
    description: 'Running pods scanned in a cluster (excluded namespaces left out)',
    dimensions: ['cluster'],
  },
  registryLookups: {
    name: 'acrsync.registry.lookups',
    kind: 'counter',
    unit: '{lookup}',
    description: 'Repository lookups answered, by registry and result (found, no-match, unknown-repository, error)',
    dimensions: ['registry', 'result'],
  },
  registryThrottled: {
    name: 'acrsync.registry.throttled',
    kind: 'counter',
    unit: '{answer}',
    description: 'Registry answers 429, or 503 with Retry-After, each waited out before asking again',
    dimensions: ['registry'],
  },
  slackPosts: {
    name: 'acrsync.slack.posts',
    kind: 'counter',
    unit: '{post}',
    description: 'Slack post attempts by sender (bot, webhook) and result (ok, retryable, channel-unavailable, fatal, permanent)',
    dimensions: ['via', 'result'],
  },
  slackFailures: {
    name: 'acrsync.slack.failures',
    kind: 'counter',
    unit: '{item}',
    description: 'Alert items a delivery left undone, by stage (claim, post, commit, release, remove); retried by the next scan',
    dimensions: ['stage'],
  },
  sinceLastSuccess: {
    name: 'acrsync.scan.since_last_success',
    kind: 'gauge',
    unit: 's',
    description: 'Time since the latest scan that could read the cluster, from the stored status, after each scan of it',
    dimensions: ['cluster'],
  },
  detectionLatency: {
    name: 'acrsync.detection.latency',
    kind: 'histogram',
    unit: 's',
    description: 'Push-driven checks: from the moment a workload started to count as lagging (push time plus grace period) to the check that found it',
    dimensions: ['cluster'],
  },
} as const satisfies Record<string, MetricDefinition & { name: `acrsync.${string}` }>;

export type MetricKey = keyof typeof METRICS;

/** The names, as Application Insights shows them. */
export const METRIC_NAMES: readonly string[] = Object.values(METRICS).map((m) => m.name);
