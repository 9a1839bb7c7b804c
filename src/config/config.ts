/**
 * The settings, read from the environment (Function app settings, or the shell for the CLI)
 * through one zod schema. Every problem is reported at once, one line per problem, with an
 * example of a good value; secret values never appear in messages.
 *
 * Longer than most modules: the list of variables, their defaults, examples, the `Config`
 * type and the schema stay in one file so that they change together. The value parsers are
 * in settingValues.ts, urlSettings.ts, registrySettings.ts and scanSchedule.ts.
 */
import { z } from 'zod';
import { DEFAULT_TAG_PATTERN } from '../images/tagPattern.js';
import { parseDuration } from '../util/duration.js';
import { CLUSTER_RESOURCE_ID_EXAMPLE, type ClusterTarget } from './clusterTargets.js';
import { InvalidSetting } from './invalidSetting.js';
import { screenKeyVaultReferences } from './keyVaultReference.js';
import { nonAcrRegistryProblems, parseRegistries } from './registrySettings.js';
import { DEFAULT_SCAN_SCHEDULE, resolveScanSchedule, type ResolvedScanSchedule } from './scanSchedule.js';
import {
  DURATION_BOUNDS,
  duration,
  integer,
  parseBoolean,
  parseBotToken,
  parseChannel,
  parseClustersSetting,
  parseEmoji,
  parseFanout,
  parseGuid,
  parseLabelKey,
  parseNamespaces,
  parseQueueName,
  parseTableName,
  parseTagPattern,
  parseUsername,
  type ScanFanout,
} from './settingValues.js';
import { parseArmEndpoint, parseSlackApiUrl, parseWebhookUrl } from './urlSettings.js';

export type { ClusterTarget } from './clusterTargets.js';
export { DURATION_BOUNDS, FUNCTION_TIMEOUT_MS, type ScanFanout } from './settingValues.js';

/** Every environment variable the configuration reads, in the order problems are reported. */
export const CONFIG_VARIABLES = [
  'CLUSTERS',
  'REGISTRIES',
  'ALLOW_ANY_REGISTRY_HOST',
  'TAG_PATTERN',
  'GRACE_PERIOD',
  'ACR_MAX_RESULTS',
  'ACR_CONCURRENCY',
  'EXCLUDED_NAMESPACES',
  'SLACK_WEBHOOK_URL',
  'SLACK_BOT_TOKEN',
  'SLACK_API_URL',
  'SLACK_CHANNEL',
  'SLACK_CHANNEL_LABEL',
  'SLACK_ICON_EMOJI',
  'SLACK_USERNAME',
  'ACR_SYNC_DEBUG',
  'AZURE_CLIENT_ID',
  'ARM_ENDPOINT',
  'SCAN_SCHEDULE',
  'CLUSTER_TIMEOUT',
  'NOTIFY_REPEAT_INTERVAL',
  'NOTIFY_RESOLVED',
  'STATE_TABLE',
  'SCAN_FANOUT',
  'SCAN_QUEUE',
] as const;
export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

/** Variables whose values must never be logged or shown in an error. */
export const SECRET_VARIABLES = ['SLACK_WEBHOOK_URL', 'SLACK_BOT_TOKEN'] as const satisfies readonly ConfigVariable[];

/**
 * Namespaces never scanned unless EXCLUDED_NAMESPACES says otherwise: the previous script's
 * list plus the namespaces AKS and its add-ons create.
 */
export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'gatekeeper-system',
  'admin',
  'calico-system',
  'tigera-operator',
  'aks-command',
  'app-routing-system',
  'azure-arc',
  'dataprotection-microsoft',
  'aks-istio-system',
  'aks-istio-ingress',
  'aks-istio-egress',
];

export const CONFIG_DEFAULTS = {
  ALLOW_ANY_REGISTRY_HOST: false,
  TAG_PATTERN: DEFAULT_TAG_PATTERN,
  GRACE_PERIOD: '3m',
  ACR_MAX_RESULTS: 100,
  ACR_CONCURRENCY: 8,
  SLACK_CHANNEL_LABEL: 'slackChannel',
  SLACK_ICON_EMOJI: 'warning',
  SLACK_USERNAME: 'acr-aks-sync',
  ARM_ENDPOINT: 'https://management.azure.com',
  SCAN_SCHEDULE: DEFAULT_SCAN_SCHEDULE,
  CLUSTER_TIMEOUT: '2m',
  NOTIFY_REPEAT_INTERVAL: '6h',
  STATE_TABLE: 'acrsyncstate',
  SCAN_FANOUT: 'inline',
  SCAN_QUEUE: 'acrsync-clusters',
} as const;

/** A good value for each variable, shown after each problem. */
export const CONFIG_EXAMPLES: Readonly<Record<ConfigVariable, string>> = {
  CLUSTERS: CLUSTER_RESOURCE_ID_EXAMPLE,
  REGISTRIES: 'myacr.azurecr.io,otheracr.azurecr.io',
  ALLOW_ANY_REGISTRY_HOST: 'true',
  TAG_PATTERN: 'prod-*',
  GRACE_PERIOD: '3m',
  ACR_MAX_RESULTS: '100',
  ACR_CONCURRENCY: '8',
  EXCLUDED_NAMESPACES: 'kube-system,kube-public,monitoring',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx',
  SLACK_API_URL: 'https://slack.com/api/',
  SLACK_CHANNEL: '#platform-alerts',
  SLACK_CHANNEL_LABEL: 'slackChannel',
  SLACK_ICON_EMOJI: 'warning',
  SLACK_USERNAME: 'acr-aks-sync',
  ACR_SYNC_DEBUG: 'true',
  AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000000',
  ARM_ENDPOINT: 'https://management.azure.com',
  SCAN_SCHEDULE: '0 */5 * * * *',
  CLUSTER_TIMEOUT: '2m',
  NOTIFY_REPEAT_INTERVAL: '6h',
  NOTIFY_RESOLVED: 'true',
  STATE_TABLE: 'acrsyncstate',
  SCAN_FANOUT: 'queue',
  SCAN_QUEUE: 'acrsync-clusters',
};

export interface SlackConfig {
  webhookUrl?: string;
  botToken?: string;
  /** Slack Web API base URL ending with `/`; undefined for Slack's own. */
  apiUrl?: string;
  /** Default channel: a name without `#`, or a channel ID. */
  channel: string;
  /** Emoji name without colons, e.g. `warning`. */
  iconEmoji: string;
  username: string;
}

export interface Config {
  clusters: ClusterTarget[];
  /** Lower-cased login servers (host or host:port). */
  registries: string[];
  tagPattern: string;
  gracePeriodMs: number;
  acrMaxResults: number;
  acrConcurrency: number;
  excludedNamespaces: string[];
  /** Null when neither a webhook URL nor a bot token is set, or when notificationsOff says why. */
  slack: SlackConfig | null;
  /** Set when a Slack credential is an unresolved Key Vault reference: scans go on, nothing is sent. */
  notificationsOff?: string;
  /** Namespace label naming a workload's Slack channel; present even without Slack, for reports. */
  slackChannelLabel: string;
  debug: boolean;
  azureClientId?: string;
  /** ARM base URL without a trailing slash. */
  armEndpoint: string;
  clusterTimeoutMs: number;
  /** How often an unchanged alert is repeated; 0 repeats it on every scan. */
  notifyRepeatIntervalMs: number;
  notifyResolved: boolean;
  stateTable: string;
  scanFanout: ScanFanout;
  scanQueue: string;
  /**
   * Problems that do not stop a scan but must be fixed: an invalid SCAN_SCHEDULE (the timer
   * then runs on the default). Every timer run and every scanNow response repeats them.
   */
  warnings: readonly ConfigIssue[];
}

export interface ConfigIssue {
  variable: string;
  /** What is wrong with it. */
  message: string;
  /** A good value. */
  example: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((issue) => `${issue.variable}: ${issue.message} (e.g. ${issue.example})`).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export interface LoadConfigOptions {
  /** CLUSTERS must list at least one target (the Functions); the CLI with --kubeconfig does not need it. */
  requireClusters?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Value parsers: each throws `InvalidSetting` with what is wrong; `field` turns that into zod issues.
// ---------------------------------------------------------------------------------------------

const SECRETS: ReadonlySet<string> = new Set(SECRET_VARIABLES);

/**
 * One variable: unset, empty and blank values are `undefined` (so an empty app setting means
 * "use the default"); other values are trimmed and handed to `parse`.
 */
function field<T>(variable: ConfigVariable, parse: (value: string | undefined) => T) {
  return z
    .string({ error: `must be a string` })
    .optional()
    .transform((raw, ctx): T => {
      const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
      try {
        return parse(value);
      } catch (error) {
        if (!(error instanceof InvalidSetting)) throw error;
        for (const problem of error.problems) {
          ctx.addIssue({
            code: 'custom',
            message: problem.message,
            input: SECRETS.has(variable) ? '[secret]' : raw,
            params: { example: problem.example ?? CONFIG_EXAMPLES[variable] },
          });
        }
        return z.NEVER;
      }
    });
}

function withDefault<T>(parse: (value: string) => T, fallback: T): (value: string | undefined) => T {
  return (value) => (value === undefined ? fallback : parse(value));
}

function optional<T>(parse: (value: string) => T): (value: string | undefined) => T | undefined {
  return (value) => (value === undefined ? undefined : parse(value));
}

/** The schema over the environment; its output is the `Config`. */
export function createConfigSchema(options: LoadConfigOptions = {}) {
  const shape = {
    CLUSTERS: field('CLUSTERS', parseClustersSetting(options.requireClusters ?? false)),
    REGISTRIES: field('REGISTRIES', parseRegistries),
    ALLOW_ANY_REGISTRY_HOST: field('ALLOW_ANY_REGISTRY_HOST', withDefault(parseBoolean, CONFIG_DEFAULTS.ALLOW_ANY_REGISTRY_HOST)),
    TAG_PATTERN: field('TAG_PATTERN', withDefault(parseTagPattern, CONFIG_DEFAULTS.TAG_PATTERN)),
    GRACE_PERIOD: field('GRACE_PERIOD', withDefault(duration(DURATION_BOUNDS.GRACE_PERIOD), parseDuration(CONFIG_DEFAULTS.GRACE_PERIOD))),
    ACR_MAX_RESULTS: field('ACR_MAX_RESULTS', withDefault(integer(1, 10_000), CONFIG_DEFAULTS.ACR_MAX_RESULTS)),
    ACR_CONCURRENCY: field('ACR_CONCURRENCY', withDefault(integer(1, 64), CONFIG_DEFAULTS.ACR_CONCURRENCY)),
    EXCLUDED_NAMESPACES: field('EXCLUDED_NAMESPACES', withDefault(parseNamespaces, [...DEFAULT_EXCLUDED_NAMESPACES])),
    SLACK_WEBHOOK_URL: field('SLACK_WEBHOOK_URL', optional(parseWebhookUrl)),
    SLACK_BOT_TOKEN: field('SLACK_BOT_TOKEN', optional(parseBotToken)),
    SLACK_API_URL: field('SLACK_API_URL', optional(parseSlackApiUrl)),
    SLACK_CHANNEL: field('SLACK_CHANNEL', optional(parseChannel)),
    SLACK_CHANNEL_LABEL: field('SLACK_CHANNEL_LABEL', withDefault(parseLabelKey, CONFIG_DEFAULTS.SLACK_CHANNEL_LABEL)),
    SLACK_ICON_EMOJI: field('SLACK_ICON_EMOJI', withDefault(parseEmoji, CONFIG_DEFAULTS.SLACK_ICON_EMOJI)),
    SLACK_USERNAME: field('SLACK_USERNAME', withDefault(parseUsername, CONFIG_DEFAULTS.SLACK_USERNAME)),
    ACR_SYNC_DEBUG: field('ACR_SYNC_DEBUG', withDefault(parseBoolean, false)),
    AZURE_CLIENT_ID: field('AZURE_CLIENT_ID', optional(parseGuid)),
    ARM_ENDPOINT: field('ARM_ENDPOINT', withDefault(parseArmEndpoint, CONFIG_DEFAULTS.ARM_ENDPOINT)),
    // Never fails: a bad schedule becomes a warning (see `resolveScanSchedule`), so scanNow still works.
    SCAN_SCHEDULE: field('SCAN_SCHEDULE', resolveScanSchedule),
    CLUSTER_TIMEOUT: field('CLUSTER_TIMEOUT', withDefault(duration(DURATION_BOUNDS.CLUSTER_TIMEOUT), parseDuration(CONFIG_DEFAULTS.CLUSTER_TIMEOUT))),
    NOTIFY_REPEAT_INTERVAL: field(
      'NOTIFY_REPEAT_INTERVAL',
      withDefault(duration(DURATION_BOUNDS.NOTIFY_REPEAT_INTERVAL), parseDuration(CONFIG_DEFAULTS.NOTIFY_REPEAT_INTERVAL)),
    ),
    NOTIFY_RESOLVED: field('NOTIFY_RESOLVED', withDefault(parseBoolean, true)),
    STATE_TABLE: field('STATE_TABLE', withDefault(parseTableName, CONFIG_DEFAULTS.STATE_TABLE)),
    SCAN_FANOUT: field('SCAN_FANOUT', withDefault(parseFanout, CONFIG_DEFAULTS.SCAN_FANOUT as ScanFanout)),
    SCAN_QUEUE: field('SCAN_QUEUE', withDefault(parseQueueName, CONFIG_DEFAULTS.SCAN_QUEUE)),
  } satisfies Record<ConfigVariable, z.ZodType>;

  return z
    .object(shape)
    .superRefine(
      (env, ctx) => {
        // Runs even when fields failed (`when`), so that every problem is reported in one go. A
        // field that failed holds a placeholder, which still counts as "set" here, as it was.
        const slackEnabled = env.SLACK_WEBHOOK_URL !== undefined || env.SLACK_BOT_TOKEN !== undefined;
        if (slackEnabled && env.SLACK_CHANNEL === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['SLACK_CHANNEL'],
            message: 'is required when SLACK_WEBHOOK_URL or SLACK_BOT_TOKEN is set: the channel for workloads without a channel label',
            input: undefined,
            params: { example: CONFIG_EXAMPLES.SLACK_CHANNEL },
          });
        }
        // A failed ALLOW_ANY_REGISTRY_HOST is no boolean: its own problem is reported, not this one.
        if (Array.isArray(env.REGISTRIES) && env.ALLOW_ANY_REGISTRY_HOST === false) {
          for (const problem of nonAcrRegistryProblems(env.REGISTRIES)) {
            ctx.addIssue({ code: 'custom', path: ['REGISTRIES'], message: problem.message, input: undefined, params: { example: problem.example } });
          }
        }
      },
      { when: () => true },
    )
    .transform((env): Config => {
      const slack: SlackConfig | null =
        env.SLACK_WEBHOOK_URL !== undefined || env.SLACK_BOT_TOKEN !== undefined
          ? {
              ...(env.SLACK_WEBHOOK_URL !== undefined ? { webhookUrl: env.SLACK_WEBHOOK_URL } : {}),
              ...(env.SLACK_BOT_TOKEN !== undefined ? { botToken: env.SLACK_BOT_TOKEN } : {}),
              ...(env.SLACK_API_URL !== undefined ? { apiUrl: env.SLACK_API_URL } : {}),
              // Present: the refinement above rejects Slack without a channel.
              channel: env.SLACK_CHANNEL ?? '',
              iconEmoji: env.SLACK_ICON_EMOJI,
              username: env.SLACK_USERNAME,
            }
          : null;
      return {
        clusters: env.CLUSTERS,
        registries: env.REGISTRIES,
        tagPattern: env.TAG_PATTERN,
        gracePeriodMs: env.GRACE_PERIOD,
        acrMaxResults: env.ACR_MAX_RESULTS,
        acrConcurrency: env.ACR_CONCURRENCY,
        excludedNamespaces: env.EXCLUDED_NAMESPACES,
        slack,
        slackChannelLabel: env.SLACK_CHANNEL_LABEL,
        debug: env.ACR_SYNC_DEBUG,
        ...(env.AZURE_CLIENT_ID !== undefined ? { azureClientId: env.AZURE_CLIENT_ID } : {}),
        armEndpoint: env.ARM_ENDPOINT,
        clusterTimeoutMs: env.CLUSTER_TIMEOUT,
        notifyRepeatIntervalMs: env.NOTIFY_REPEAT_INTERVAL,
        notifyResolved: env.NOTIFY_RESOLVED,
        stateTable: env.STATE_TABLE,
        scanFanout: env.SCAN_FANOUT,
        scanQueue: env.SCAN_QUEUE,
        warnings: scheduleWarnings(env.SCAN_SCHEDULE),
      };
    });
}

/** An invalid SCAN_SCHEDULE as a warning: the timer runs on the default meanwhile. */
function scheduleWarnings(schedule: ResolvedScanSchedule): ConfigIssue[] {
  return schedule.problem ? [{ variable: 'SCAN_SCHEDULE', message: schedule.problem.message, example: schedule.problem.example }] : [];
}

const VARIABLE_ORDER = new Map<string, number>(CONFIG_VARIABLES.map((name, index) => [name, index]));

/**
 * The configuration in `env`. Variables the schema does not know are ignored. Throws
 * `ConfigError` listing every problem.
 */
export function loadConfig(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): Config {
  const screened = screenKeyVaultReferences(env, CONFIG_VARIABLES, SECRET_VARIABLES);
  const input: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) input[name] = screened.env[name];
  const result = createConfigSchema(options).safeParse(input);
  if (result.success && screened.problems.length === 0) {
    return screened.notificationsOff ? { ...result.data, slack: null, notificationsOff: screened.notificationsOff } : result.data;
  }

  // A variable set aside as an unresolved reference is reported as that, not as missing.
  const zodIssues = (result.success ? [] : result.error.issues).filter((i) => !screened.problems.some((p) => p.variable === i.path[0]));
  const referenceIssues = screened.problems.map((p) => ({ path: [p.variable], message: p.message }));
  const issues = [...zodIssues, ...referenceIssues].map((issue, index) => {
    const variable = String(issue.path[0] ?? '(environment)');
    const example = (issue as { params?: { example?: unknown } }).params?.example;
    return {
      index,
      issue: {
        variable,
        message: issue.message,
        example: typeof example === 'string' ? example : (CONFIG_EXAMPLES[variable as ConfigVariable] ?? ''),
      },
    };
  });
  // A bad schedule alone is only a warning; with other problems it is listed among them.
  const schedule = typeof env.SCAN_SCHEDULE === 'string' ? env.SCAN_SCHEDULE : undefined;
  for (const issue of scheduleWarnings(resolveScanSchedule(schedule))) issues.push({ index: issues.length, issue });
  issues.sort(
    (a, b) => (VARIABLE_ORDER.get(a.issue.variable) ?? Infinity) - (VARIABLE_ORDER.get(b.issue.variable) ?? Infinity) || a.index - b.index,
  );
  throw new ConfigError(issues.map((entry) => entry.issue));
}
