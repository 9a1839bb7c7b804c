/**
 * The settings, read from the environment (Function app settings, or the shell for the CLI)
 * through one zod schema built from the settings table (settings.ts). Every problem is reported
 * at once, one line per problem, with an example of a good value; secret values never appear in
 * messages.
 */
import { z } from 'zod';
import { unknownClusterProblems } from './clusterSettings.js';
import { InvalidSetting } from './invalidSetting.js';
import { screenKeyVaultReferences } from './keyVaultReference.js';
import { nonAcrRegistryProblems } from './registrySettings.js';
import { resolveScanSchedule, type ResolvedScanSchedule } from './scanSchedule.js';
import {
  CONFIG_EXAMPLES,
  CONFIG_VARIABLES,
  SECRET_VARIABLES,
  readSetting,
  settingRow,
  settingText,
  type ConfigValues,
  type ConfigVariable,
  type LoadConfigOptions,
  type SettingValues,
  type SlackValues,
} from './settings.js';

export type { ClusterSettingsConfig, ClusterSettingsEntry, TrackMode } from './clusterSettings.js';
export type { ClusterTarget } from './clusterTargets.js';
export { DURATION_BOUNDS, FUNCTION_TIMEOUT_MS, type ScanFanout } from './settingValues.js';
export {
  CONFIG_DEFAULTS,
  CONFIG_EXAMPLES,
  CONFIG_VARIABLES,
  DEFAULT_EXCLUDED_NAMESPACES,
  SECRET_VARIABLES,
  type ConfigVariable,
  type LoadConfigOptions,
} from './settings.js';

export interface SlackConfig extends Omit<SlackValues, 'channel'> {
  /** Always there: the schema refuses Slack without a channel. */
  channel: string;
}

/** The rows' values under their `config` column, and what is put together from several rows. */
export interface Config extends ConfigValues {
  /** Null when neither a webhook URL nor a bot token is set, or when notificationsOff says why. */
  slack: SlackConfig | null;
  /** Set when a Slack credential is an unresolved Key Vault reference: scans go on, nothing is sent. */
  notificationsOff?: string;
  /**
   * Problems that do not stop a scan but must be fixed: an invalid SCAN_SCHEDULE (the timer
   * then runs on the default). Every timer run and every scanNow response repeats them.
   */
  warnings: readonly ConfigIssue[];
  /**
   * The variables that were set, as written (trimmed; secrets left out), so that a report can
   * say a value came from TAG_PATTERN rather than from the default.
   */
  written?: Readonly<Partial<Record<ConfigVariable, string>>>;
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

/** One variable, read by its row; an `InvalidSetting` becomes one zod issue per problem. */
function field(variable: ConfigVariable, options: LoadConfigOptions): z.ZodType<unknown, string | undefined> {
  const row = settingRow(variable);
  return z
    .string({ error: `must be a string` })
    .optional()
    .transform((raw, ctx) => {
      try {
        return readSetting(variable, settingText(raw), options);
      } catch (error) {
        if (!(error instanceof InvalidSetting)) throw error;
        for (const problem of error.problems) {
          ctx.addIssue({
            code: 'custom',
            message: problem.message,
            input: row.secret ? '[secret]' : raw,
            params: { example: problem.example ?? row.example },
            ...(problem.path ? { path: [...problem.path] } : {}),
          });
        }
        return z.NEVER;
      }
    });
}

function slackEnabled(values: SettingValues): boolean {
  return values.SLACK_WEBHOOK_URL !== undefined || values.SLACK_BOT_TOKEN !== undefined;
}

/**
 * The problems that involve two variables. Runs even when fields failed, so that every problem
 * is reported in one go; a field that failed holds a placeholder, which counts as "set" here.
 */
function crossCheck(values: SettingValues, ctx: z.core.$RefinementCtx<SettingValues>, options: LoadConfigOptions): void {
  if (slackEnabled(values) && values.SLACK_CHANNEL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['SLACK_CHANNEL'],
      message: 'is required when SLACK_WEBHOOK_URL or SLACK_BOT_TOKEN is set: the channel for workloads without a channel label',
      input: undefined,
      params: { example: CONFIG_EXAMPLES.SLACK_CHANNEL },
    });
  }
  // A failed ALLOW_ANY_REGISTRY_HOST is no boolean: its own problem is reported, not this one.
  if (Array.isArray(values.REGISTRIES) && values.ALLOW_ANY_REGISTRY_HOST === false) {
    for (const problem of nonAcrRegistryProblems(values.REGISTRIES)) {
      ctx.addIssue({ code: 'custom', path: ['REGISTRIES'], message: problem.message, input: undefined, params: { example: problem.example } });
    }
  }
  // One queue for both would hand Event Grid's events to scanCluster and scheduled checks to imagePushed.
  if (typeof values.PUSH_QUEUE === 'string' && values.PUSH_QUEUE === values.SCAN_QUEUE) {
    ctx.addIssue({
      code: 'custom',
      path: ['PUSH_QUEUE'],
      message: `must differ from SCAN_QUEUE (${values.SCAN_QUEUE}): Event Grid writes its events to PUSH_QUEUE, the scheduled checks go to SCAN_QUEUE`,
      input: undefined,
      params: { example: CONFIG_EXAMPLES.PUSH_QUEUE },
    });
  }
  // Only where CLUSTERS names the clusters to scan (not the CLI's --kubeconfig) and names all of them (no subscription: entry).
  const targets = Array.isArray(values.CLUSTERS) ? values.CLUSTERS : [];
  if (options.requireClusters && targets.length > 0 && targets.every((t) => t.kind === 'resource') && isReadValue(values.CLUSTER_SETTINGS)) {
    const names = targets.flatMap((t) => (t.kind === 'resource' ? [t.displayName] : []));
    for (const problem of unknownClusterProblems(values.CLUSTER_SETTINGS, names)) {
      ctx.addIssue({ code: 'custom', path: ['CLUSTER_SETTINGS', ...(problem.path ?? [])], message: problem.message, input: undefined, params: { example: problem.example } });
    }
  }
}

/** False for the placeholder a field that failed holds. */
function isReadValue<T>(value: T): value is Exclude<T, undefined> {
  return value !== undefined && (value as unknown) !== z.NEVER;
}

/** Each value where its row's `config` column puts it; Slack only when a credential is set. */
function toConfig(values: SettingValues): Config {
  const config: Record<string, unknown> = {};
  const slack: Record<string, unknown> = {};
  for (const variable of CONFIG_VARIABLES) {
    const to = settingRow(variable).config;
    const value = values[variable];
    if (to === undefined || value === undefined) continue;
    if (to.startsWith('slack.')) slack[to.slice('slack.'.length)] = value;
    else config[to] = value;
  }
  return { ...(config as ConfigValues), slack: slackEnabled(values) ? (slack as SlackValues as SlackConfig) : null, warnings: scheduleWarnings(values.SCAN_SCHEDULE) };
}

/** The schema over the environment; its output is the `Config`. */
export function createConfigSchema(options: LoadConfigOptions = {}) {
  const shape = Object.fromEntries(CONFIG_VARIABLES.map((variable) => [variable, field(variable, options)]));
  return z
    .object(shape as { [V in ConfigVariable]: z.ZodType<SettingValues[V], string | undefined> })
    .superRefine((values, ctx) => crossCheck(values, ctx, options), { when: () => true })
    .transform(toConfig);
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
    const config = { ...result.data, written: writtenSettings(screened.env) };
    return screened.notificationsOff ? { ...config, slack: null, notificationsOff: screened.notificationsOff } : config;
  }

  // A variable set aside as an unresolved reference is reported as that, not as missing.
  const zodIssues = (result.success ? [] : result.error.issues).filter((i) => !screened.problems.some((p) => p.variable === i.path[0]));
  const referenceIssues = screened.problems.map((p) => ({ path: [p.variable], message: p.message }));
  const issues = [...zodIssues, ...referenceIssues].map((issue, index) => {
    // A structured setting's problem names its path: CLUSTER_SETTINGS.staging.gracePeriod.
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
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
    (a, b) => (VARIABLE_ORDER.get(variableOf(a.issue)) ?? Infinity) - (VARIABLE_ORDER.get(variableOf(b.issue)) ?? Infinity) || a.index - b.index,
  );
  throw new ConfigError(issues.map((entry) => entry.issue));
}

/** The variable an issue is about (`CLUSTER_SETTINGS` for `CLUSTER_SETTINGS.staging.gracePeriod`). */
function variableOf(issue: ConfigIssue): string {
  return issue.variable.split('.')[0] ?? issue.variable;
}

/** The set variables as written, secrets left out (Config.written). */
function writtenSettings(env: Record<string, string | undefined>): Partial<Record<ConfigVariable, string>> {
  const written: Partial<Record<ConfigVariable, string>> = {};
  for (const variable of CONFIG_VARIABLES) {
    const text = settingText(env[variable]);
    if (text !== undefined && !settingRow(variable).secret) written[variable] = text;
  }
  return written;
}
