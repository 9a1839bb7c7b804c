/**
 * The settings, read from the environment (Function app settings, or the shell for the CLI)
 * through one zod schema. Every problem is reported at once, one line per problem, with an
 * example of a good value; secret values never appear in messages.
 */
import { z } from 'zod';
import { isValidRegistryHost } from '../inventory/imageReference.js';
import { DEFAULT_TAG_PATTERN, validateTagPattern } from '../registry/tagPattern.js';
import { CLUSTER_RESOURCE_ID_EXAMPLE, ClusterTargetsError, parseClusterTargets, splitList, type ClusterTarget } from './clusterTargets.js';
import { parseDuration } from './duration.js';
import { screenKeyVaultReferences } from './keyVaultReference.js';

export type { ClusterTarget } from './clusterTargets.js';

/** Every environment variable the configuration reads, in the order problems are reported. */
export const CONFIG_VARIABLES = [
  'CLUSTERS',
  'REGISTRIES',
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
  TAG_PATTERN: DEFAULT_TAG_PATTERN,
  GRACE_PERIOD: '3m',
  ACR_MAX_RESULTS: 100,
  ACR_CONCURRENCY: 8,
  SLACK_CHANNEL_LABEL: 'slackChannel',
  SLACK_ICON_EMOJI: 'warning',
  SLACK_USERNAME: 'acr-aks-sync',
  ARM_ENDPOINT: 'https://management.azure.com',
  SCAN_SCHEDULE: '0 */5 * * * *',
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

export type ScanFanout = 'inline' | 'queue';

export interface SlackConfig {
  webhookUrl?: string;
  botToken?: string;
  /** Slack Web API base URL ending with `/`; undefined for Slack's own. */
  apiUrl?: string;
  /** Default channel: a name without `#`, or a channel ID. */
  channel: string;
  /** Namespace label whose value overrides the channel. */
  channelLabel: string;
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
  /** Six-field NCRONTAB expression for the timer trigger. */
  scanSchedule: string;
  clusterTimeoutMs: number;
  /** How often an unchanged alert is repeated; 0 repeats it on every scan. */
  notifyRepeatIntervalMs: number;
  notifyResolved: boolean;
  stateTable: string;
  scanFanout: ScanFanout;
  scanQueue: string;
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
// Value parsers: each throws `Invalid` with what is wrong; `field` turns that into zod issues.
// ---------------------------------------------------------------------------------------------

interface Problem {
  message: string;
  example?: string;
}

class Invalid extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: string | readonly Problem[]) {
    const list = typeof problems === 'string' ? [{ message: problems }] : problems;
    super(list.map((p) => p.message).join('; '));
    this.problems = list;
  }
}

const SECRETS: ReadonlySet<string> = new Set(SECRET_VARIABLES);
const SECRET_NOTE = '(value not shown: it is a secret)';

/** A non-secret value quoted for a message, shortened when long. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

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
        if (!(error instanceof Invalid)) throw error;
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

function integer(min: number, max: number) {
  return (value: string): number => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new Invalid(`${quote(value)} is not a whole number from ${min} to ${max}`);
    }
    return number;
  };
}

function duration(options: { allowZero: boolean }) {
  return (value: string): number => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (error) {
      throw new Invalid((error as Error).message);
    }
    if (ms === 0 && !options.allowZero) throw new Invalid(`${quote(value)} must be longer than zero`);
    return ms;
  };
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

function boolean(value: string): boolean {
  const word = value.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new Invalid(`${quote(value)} is not a boolean; use true/false, 1/0 or yes/no`);
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An http(s) URL; plain http only to this machine (local receivers and emulators). Messages
 * about a secret say so instead of quoting it.
 */
function secureUrl(value: string, secret: boolean): URL {
  const problem = (what: string) => new Invalid(secret ? `${what} ${SECRET_NOTE}` : `${quote(value)} ${what}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem('is not a valid URL');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw problem('must use https:// (http:// is allowed only for localhost and 127.0.0.1)');
}

function noQueryOrFragment(url: URL, value: string): void {
  if (url.search || url.hash) throw new Invalid(`${quote(value)} must not have a query string or fragment`);
}

function parseRegistries(value: string | undefined): string[] {
  const entries = value === undefined ? [] : splitList(value);
  if (entries.length === 0) {
    throw new Invalid('is required: list the Azure Container Registry login servers whose images are tracked, comma-separated');
  }
  const problems: Problem[] = [];
  const registries: string[] = [];
  for (const entry of entries) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(entry);
    if (scheme) {
      const host = entry.slice(scheme[0].length).split('/')[0] ?? '';
      problems.push({
        message: `${quote(entry)}: give the login server without the "${scheme[0]}" prefix`,
        ...(isValidRegistryHost(host) ? { example: host.toLowerCase() } : {}),
      });
      continue;
    }
    if (entry.includes('/')) {
      const host = entry.split('/')[0] ?? '';
      problems.push({
        message: `${quote(entry)}: a login server has no path (repositories come from the pods' images)`,
        ...(isValidRegistryHost(host) ? { example: host.toLowerCase() } : {}),
      });
      continue;
    }
    if (!isValidRegistryHost(entry)) {
      problems.push({ message: `${quote(entry)} is not a registry login server (host or host:port)` });
      continue;
    }
    const host = entry.toLowerCase() === 'index.docker.io' ? 'docker.io' : entry.toLowerCase();
    if (!registries.includes(host)) registries.push(host);
  }
  if (problems.length > 0) throw new Invalid(problems);
  return registries;
}

const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

function parseNamespaces(value: string): string[] {
  const names: string[] = [];
  const problems: Problem[] = [];
  for (const name of splitList(value)) {
    if (!NAMESPACE.test(name)) {
      problems.push({ message: `${quote(name)} is not a Kubernetes namespace name (lowercase letters, digits and "-", at most 63)` });
    } else if (!names.includes(name)) {
      names.push(name);
    }
  }
  if (problems.length > 0) throw new Invalid(problems);
  return names;
}

const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
const SLACK_CHANNEL_NAME = /^[\p{Ll}\p{Lo}\p{N}_-]{1,80}$/u;

function parseChannel(value: string): string {
  const channel = value.startsWith('#') ? value.slice(1) : value;
  if (SLACK_CHANNEL_ID.test(channel) || SLACK_CHANNEL_NAME.test(channel)) return channel;
  throw new Invalid(
    `${quote(value)} is neither a channel name (lowercase letters, digits, "-" and "_", at most 80) nor a channel ID (C0123456789)`,
  );
}

const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

function parseLabelKey(value: string): string {
  const slash = value.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : value.slice(0, slash);
  const name = slash === -1 ? value : value.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || !LABEL_NAME.test(name)) {
    throw new Invalid(`${quote(value)} is not a Kubernetes label key ([prefix/]name, name at most 63 letters, digits, "-", "_", ".")`);
  }
  return value;
}

function parseEmoji(value: string): string {
  const name = value.replace(/^:/, '').replace(/:$/, '').toLowerCase();
  if (!/^[a-z0-9_+'-]+$/.test(name)) throw new Invalid(`${quote(value)} is not an emoji name like warning or :warning:`);
  return name;
}

function parseUsername(value: string): string {
  if (value.length > 80) throw new Invalid(`is ${value.length} characters long; Slack allows at most 80`);
  return value;
}

function parseWebhookUrl(value: string): string {
  secureUrl(value, true);
  return value;
}

function parseBotToken(value: string): string {
  if (!/^xoxb-[A-Za-z0-9-]+$/.test(value)) {
    throw new Invalid(`must be a Slack bot token, which starts with "xoxb-" ${SECRET_NOTE}`);
  }
  return value;
}

function parseSlackApiUrl(value: string): string {
  const url = secureUrl(value, false);
  noQueryOrFragment(url, value);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

function parseArmEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Invalid(`${quote(value)} is not a valid URL`);
  }
  if (url.protocol !== 'https:') throw new Invalid(`${quote(value)} must use https://`);
  noQueryOrFragment(url, value);
  return url.href.replace(/\/+$/, '');
}

const NCRONTAB_FIELD = /^[A-Za-z0-9*/,?-]+$/;

function parseSchedule(value: string): string {
  const fields = value.split(/\s+/);
  if (fields.length !== 6) {
    throw new Invalid(
      `${quote(value)} has ${fields.length} field${fields.length === 1 ? '' : 's'}; Azure Functions NCRONTAB needs 6 (second minute hour day month day-of-week)`,
    );
  }
  const bad = fields.find((f) => !NCRONTAB_FIELD.test(f));
  if (bad !== undefined) throw new Invalid(`${quote(value)} has an invalid field ${quote(bad)}`);
  return fields.join(' ');
}

function parseTagPattern(value: string): string {
  const problem = validateTagPattern(value);
  if (problem) throw new Invalid(problem);
  return value;
}

function parseGuid(value: string): string {
  if (!GUID.test(value)) throw new Invalid(`${quote(value)} is not a GUID (the managed identity's client ID)`);
  return value;
}

function parseTableName(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(value)) {
    throw new Invalid(`${quote(value)} is not an Azure table name (3-63 letters and digits, starting with a letter)`);
  }
  if (value.toLowerCase() === 'tables') throw new Invalid(`"tables" is reserved by Azure Table storage`);
  return value;
}

function parseFanout(value: string): ScanFanout {
  const fanout = value.toLowerCase();
  if (fanout === 'inline' || fanout === 'queue') return fanout;
  throw new Invalid(`${quote(value)} must be "inline" (scan every cluster in the timer run) or "queue" (one queue message per cluster)`);
}

function parseQueueName(value: string): string {
  if (value.length < 3 || value.length > 63 || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value)) {
    throw new Invalid(
      `${quote(value)} is not an Azure queue name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)`,
    );
  }
  return value;
}

function clusters(requireClusters: boolean) {
  return (value: string | undefined): ClusterTarget[] => {
    let targets: ClusterTarget[] = [];
    if (value !== undefined) {
      try {
        targets = parseClusterTargets(value);
      } catch (error) {
        if (!(error instanceof ClusterTargetsError)) throw error;
        throw new Invalid(error.problems.map((p) => ({ message: `entry ${quote(p.entry)}: ${p.message}`, example: p.example })));
      }
    }
    if (targets.length === 0 && requireClusters) {
      throw new Invalid('is required: list the AKS clusters to scan (resource IDs or subscription:<id>), comma-separated');
    }
    return targets;
  };
}

/** The schema over the environment; its output is the `Config`. */
export function createConfigSchema(options: LoadConfigOptions = {}) {
  const shape = {
    CLUSTERS: field('CLUSTERS', clusters(options.requireClusters ?? false)),
    REGISTRIES: field('REGISTRIES', parseRegistries),
    TAG_PATTERN: field('TAG_PATTERN', withDefault(parseTagPattern, CONFIG_DEFAULTS.TAG_PATTERN)),
    GRACE_PERIOD: field('GRACE_PERIOD', withDefault(duration({ allowZero: true }), parseDuration(CONFIG_DEFAULTS.GRACE_PERIOD))),
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
    ACR_SYNC_DEBUG: field('ACR_SYNC_DEBUG', withDefault(boolean, false)),
    AZURE_CLIENT_ID: field('AZURE_CLIENT_ID', optional(parseGuid)),
    ARM_ENDPOINT: field('ARM_ENDPOINT', withDefault(parseArmEndpoint, CONFIG_DEFAULTS.ARM_ENDPOINT)),
    SCAN_SCHEDULE: field('SCAN_SCHEDULE', withDefault(parseSchedule, CONFIG_DEFAULTS.SCAN_SCHEDULE)),
    CLUSTER_TIMEOUT: field('CLUSTER_TIMEOUT', withDefault(duration({ allowZero: false }), parseDuration(CONFIG_DEFAULTS.CLUSTER_TIMEOUT))),
    NOTIFY_REPEAT_INTERVAL: field(
      'NOTIFY_REPEAT_INTERVAL',
      withDefault(duration({ allowZero: true }), parseDuration(CONFIG_DEFAULTS.NOTIFY_REPEAT_INTERVAL)),
    ),
    NOTIFY_RESOLVED: field('NOTIFY_RESOLVED', withDefault(boolean, true)),
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
              channelLabel: env.SLACK_CHANNEL_LABEL,
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
        scanSchedule: env.SCAN_SCHEDULE,
        clusterTimeoutMs: env.CLUSTER_TIMEOUT,
        notifyRepeatIntervalMs: env.NOTIFY_REPEAT_INTERVAL,
        notifyResolved: env.NOTIFY_RESOLVED,
        stateTable: env.STATE_TABLE,
        scanFanout: env.SCAN_FANOUT,
        scanQueue: env.SCAN_QUEUE,
      };
    });
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
  issues.sort(
    (a, b) => (VARIABLE_ORDER.get(a.issue.variable) ?? Infinity) - (VARIABLE_ORDER.get(b.issue.variable) ?? Infinity) || a.index - b.index,
  );
  throw new ConfigError(issues.map((entry) => entry.issue));
}
