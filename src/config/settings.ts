/**
 * The settings table: one row per environment variable the configuration reads, in the order
 * problems are reported. A row says how the value is parsed, its default, a good example,
 * whether it is a secret, and where it goes in `Config`; the lists of names, defaults and
 * examples, the schema (config.ts) and the `Config` type are all derived from the rows.
 */
import { DEFAULT_TAG_PATTERN } from '../images/tagPattern.js';
import { CLUSTER_SETTINGS_EXAMPLE, parseClusterSettings } from './clusterSettings.js';
import { CLUSTER_RESOURCE_ID_EXAMPLE } from './clusterTargets.js';
import { parseRegistries } from './registrySettings.js';
import { DEFAULT_SCAN_SCHEDULE, resolveScanSchedule } from './scanSchedule.js';
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
} from './settingValues.js';
import { parseArmEndpoint, parseSlackApiUrl, parseWebhookUrl } from './urlSettings.js';

export interface LoadConfigOptions {
  /** CLUSTERS must list at least one target (the Functions); the CLI with --kubeconfig does not need it. */
  requireClusters?: boolean;
}

/** What every row has. `config` is where the value goes: a `Config` property, or `slack.<property>` of `SlackConfig`. */
interface RowBase {
  /** A good value, shown after each problem. */
  example: string;
  /** Never logged or shown in an error. */
  secret?: true;
  config?: string;
}

/**
 * A row is one of two kinds. `parse` takes the trimmed value; an unset (or blank) variable
 * gets `default` when the row has one, else it is `undefined`. `read` is for the variables
 * whose absence is a case of its own (required, or depending on the options).
 */
export type SettingRow = RowBase &
  (
    | { parse: (value: string) => unknown; default?: string; read?: never }
    | { read: (value: string | undefined, options: LoadConfigOptions) => unknown; parse?: never; default?: never }
  );

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

/** CLUSTERS may be empty, unless the options require clusters (the functions). */
function readClusters(value: string | undefined, options: LoadConfigOptions) {
  return parseClustersSetting(options.requireClusters ?? false)(value);
}

/** The table. The value parsers are in settingValues.ts, urlSettings.ts, registrySettings.ts and scanSchedule.ts. */
export const CONFIG_SETTINGS = {
  CLUSTERS: { read: readClusters, example: CLUSTER_RESOURCE_ID_EXAMPLE, config: 'clusters' },
  // Per-cluster settings (clusterSettings.ts), keyed by display name; stronger than the cluster's AKS tags.
  CLUSTER_SETTINGS: { parse: parseClusterSettings, example: CLUSTER_SETTINGS_EXAMPLE, config: 'clusterSettings' },
  // Lower-cased login servers (host or host:port).
  REGISTRIES: { read: parseRegistries, example: 'myacr.azurecr.io,otheracr.azurecr.io', config: 'registries' },
  // Only checks REGISTRIES (config.ts), so it goes nowhere in Config.
  ALLOW_ANY_REGISTRY_HOST: { parse: parseBoolean, default: 'false', example: 'true' },
  TAG_PATTERN: { parse: parseTagPattern, default: DEFAULT_TAG_PATTERN, example: 'prod-*', config: 'tagPattern' },
  GRACE_PERIOD: { parse: duration(DURATION_BOUNDS.GRACE_PERIOD), default: '3m', example: '3m', config: 'gracePeriodMs' },
  ACR_MAX_RESULTS: { parse: integer(1, 10_000), default: '100', example: '100', config: 'acrMaxResults' },
  ACR_CONCURRENCY: { parse: integer(1, 64), default: '8', example: '8', config: 'acrConcurrency' },
  EXCLUDED_NAMESPACES: { parse: parseNamespaces, default: DEFAULT_EXCLUDED_NAMESPACES.join(','), example: 'kube-system,kube-public,monitoring', config: 'excludedNamespaces' },
  SLACK_WEBHOOK_URL: { parse: parseWebhookUrl, example: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', secret: true, config: 'slack.webhookUrl' },
  SLACK_BOT_TOKEN: { parse: parseBotToken, example: 'xoxb-0000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx', secret: true, config: 'slack.botToken' },
  // Slack Web API base URL ending with `/`; unset for Slack's own.
  SLACK_API_URL: { parse: parseSlackApiUrl, example: 'https://slack.com/api/', config: 'slack.apiUrl' },
  // The default channel: a name without `#`, or a channel ID.
  SLACK_CHANNEL: { parse: parseChannel, example: '#platform-alerts', config: 'slack.channel' },
  // The namespace label naming a workload's Slack channel; in Config even without Slack, for reports.
  SLACK_CHANNEL_LABEL: { parse: parseLabelKey, default: 'slackChannel', example: 'slackChannel', config: 'slackChannelLabel' },
  // An emoji name without colons.
  SLACK_ICON_EMOJI: { parse: parseEmoji, default: 'warning', example: 'warning', config: 'slack.iconEmoji' },
  SLACK_USERNAME: { parse: parseUsername, default: 'acr-aks-sync', example: 'acr-aks-sync', config: 'slack.username' },
  ACR_SYNC_DEBUG: { parse: parseBoolean, default: 'false', example: 'true', config: 'debug' },
  AZURE_CLIENT_ID: { parse: parseGuid, example: '00000000-0000-0000-0000-000000000000', config: 'azureClientId' },
  // ARM base URL without a trailing slash.
  ARM_ENDPOINT: { parse: parseArmEndpoint, default: 'https://management.azure.com', example: 'https://management.azure.com', config: 'armEndpoint' },
  // Never fails: an invalid schedule becomes one of Config's warnings (config.ts), so scanNow still works.
  SCAN_SCHEDULE: { parse: resolveScanSchedule, default: DEFAULT_SCAN_SCHEDULE, example: '0 */5 * * * *' },
  CLUSTER_TIMEOUT: { parse: duration(DURATION_BOUNDS.CLUSTER_TIMEOUT), default: '2m', example: '2m', config: 'clusterTimeoutMs' },
  // How often an unchanged alert is repeated; 0 repeats it on every scan.
  NOTIFY_REPEAT_INTERVAL: { parse: duration(DURATION_BOUNDS.NOTIFY_REPEAT_INTERVAL), default: '6h', example: '6h', config: 'notifyRepeatIntervalMs' },
  NOTIFY_RESOLVED: { parse: parseBoolean, default: 'true', example: 'true', config: 'notifyResolved' },
  STATE_TABLE: { parse: parseTableName, default: 'acrsyncstate', example: 'acrsyncstate', config: 'stateTable' },
  SCAN_FANOUT: { parse: parseFanout, default: 'inline', example: 'queue', config: 'scanFanout' },
  SCAN_QUEUE: { parse: parseQueueName, default: 'acrsync-clusters', example: 'acrsync-clusters', config: 'scanQueue' },
  // Push-driven checks (ACR ImagePushed events through Event Grid): the imagePushed function on PUSH_QUEUE schedules scanCluster messages on SCAN_QUEUE.
  PUSH_CHECKS: { parse: parseBoolean, default: 'false', example: 'true', config: 'pushChecks' },
  PUSH_QUEUE: { parse: parseQueueName, default: 'acrsync-pushes', example: 'acrsync-pushes', config: 'pushQueue' },
} as const satisfies Record<string, SettingRow>;

type Rows = typeof CONFIG_SETTINGS;
export type ConfigVariable = keyof Rows;

/** Every environment variable the configuration reads, in the order problems are reported. */
export const CONFIG_VARIABLES = Object.keys(CONFIG_SETTINGS) as readonly ConfigVariable[];

type SecretVariable = { [V in ConfigVariable]: Rows[V] extends { secret: true } ? V : never }[ConfigVariable];
/** Variables whose values must never be logged or shown in an error. */
export const SECRET_VARIABLES = CONFIG_VARIABLES.filter((name) => settingRow(name).secret) as readonly SecretVariable[];

/** Each variable's value when it is unset, as it would be written. */
export const CONFIG_DEFAULTS = Object.fromEntries(
  CONFIG_VARIABLES.flatMap((name) => {
    const fallback = settingRow(name).default;
    return fallback === undefined ? [] : [[name, fallback]];
  }),
) as { readonly [V in ConfigVariable as Rows[V] extends { default: string } ? V : never]: Rows[V] extends { default: infer D } ? D : never };

/** A good value for each variable, shown after each problem. */
export const CONFIG_EXAMPLES = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, settingRow(name).example])) as Readonly<
  Record<ConfigVariable, string>
>;

/** The row of `variable`, as the common row type. */
export function settingRow(variable: ConfigVariable): SettingRow {
  return CONFIG_SETTINGS[variable];
}

/** What a setting holds: unset, empty and blank are `undefined` (an empty app setting means "use the default"); else trimmed. */
export function settingText(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The value of `variable` whose setting holds `text` (see `settingText`). Throws `InvalidSetting`. */
export function readSetting<V extends ConfigVariable>(variable: V, text: string | undefined, options: LoadConfigOptions = {}): SettingValue<V> {
  const row = settingRow(variable);
  if (row.read) return row.read(text, options) as SettingValue<V>;
  const value = text ?? row.default;
  return (value === undefined ? undefined : row.parse(value)) as SettingValue<V>;
}

/** The type of a variable's value: what its parser returns, or `undefined` too when it has no default. */
export type SettingValue<V extends ConfigVariable> = Rows[V] extends { read: (...args: never[]) => infer T }
  ? T
  : Rows[V] extends { parse: (value: string) => infer T }
    ? Rows[V] extends { default: string }
      ? T
      : T | undefined
    : never;

/** The values of all variables, as the schema outputs them. */
export type SettingValues = { [V in ConfigVariable]: SettingValue<V> };

type Placement<V extends ConfigVariable> = Rows[V] extends { config: infer P extends string } ? P : never;
// Distributive over `P`, so that a row without a `config` column (never) places nothing.
type ConfigKey<P> = P extends `${string}.${string}` ? never : P;
type SlackKey<P> = P extends `slack.${infer K}` ? K : never;

/** `T` with each property that may be `undefined` made optional instead. */
type OptionalWhenUndefined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** The `Config` properties the table fills: each row's value under its `config` column. */
export type ConfigValues = OptionalWhenUndefined<{ [V in ConfigVariable as ConfigKey<Placement<V>>]: SettingValue<V> }>;
/** The `SlackConfig` properties the table fills (`config: 'slack.<property>'`). */
export type SlackValues = OptionalWhenUndefined<{ [V in ConfigVariable as SlackKey<Placement<V>>]: SettingValue<V> }>;
