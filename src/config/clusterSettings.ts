/**
 * CLUSTER_SETTINGS: settings of single clusters, as one JSON object keyed by the cluster's
 * display name (its alias in CLUSTERS, else its name; the kubeconfig context for the CLI):
 *
 *   {"staging": {"tagPattern": "staging-*", "slackChannel": "#staging-alerts", "gracePeriod": "10m",
 *                "track": "annotated", "excludedNamespaces": ["kube-system", "sandbox"], "name": "Staging (EU)"}}
 *
 * One zod schema reads it; every problem carries its path, so the configuration error names it
 * (`CLUSTER_SETTINGS.staging.gracePeriod: ...`), and an example of a good value. Each value is checked as the variable it stands in for
 * is (SLACK_CHANNEL, TAG_PATTERN, GRACE_PERIOD, EXCLUDED_NAMESPACES), so a cluster cannot be
 * given what the whole app would refuse.
 */
import { z } from 'zod';
import { quoteValue } from '../util/text.js';
import { InvalidSetting, type SettingProblem } from './invalidSetting.js';
import { DURATION_BOUNDS, duration, parseChannel, parseNamespaces, parseTagPattern } from './settingValues.js';

/** `all`: every workload is watched unless it opts out; `annotated`: only workloads or namespaces that opt in. */
export type TrackMode = 'all' | 'annotated';
export const TRACK_MODES: readonly TrackMode[] = ['all', 'annotated'];

/** A duration as written, with the milliseconds it means. */
export interface WrittenDuration {
  text: string;
  ms: number;
}

export interface ClusterSettingsEntry {
  /** Without a leading `#`. */
  slackChannel?: string;
  tagPattern?: string;
  gracePeriod?: WrittenDuration;
  track?: TrackMode;
  excludedNamespaces?: readonly string[];
  /** The name Slack messages show for the cluster. */
  name?: string;
}

/** CLUSTER_SETTINGS as read: the entries under their keys as written. */
export type ClusterSettingsConfig = Readonly<Record<string, ClusterSettingsEntry>>;

export const CLUSTER_SETTINGS_EXAMPLE = '{"staging":{"tagPattern":"staging-*","slackChannel":"#staging-alerts","gracePeriod":"10m"}}';

/** A good value of each key, shown after a problem with it. */
export const CLUSTER_SETTING_EXAMPLES: Readonly<Record<keyof ClusterSettingsEntry, string>> = {
  slackChannel: '"slackChannel": "#staging-alerts"',
  tagPattern: '"tagPattern": "staging-*"',
  gracePeriod: '"gracePeriod": "10m"',
  track: '"track": "annotated"',
  excludedNamespaces: '"excludedNamespaces": ["kube-system", "sandbox"]',
  name: '"name": "Staging (EU)"',
};

const NAME_MAX = 80;

/** A name for messages: any printable text up to 80 characters (Slack messages escape it like every other value). */
export function parseClusterDisplayName(value: string): string {
  const name = value.trim();
  if (name === '' || name.length > NAME_MAX || /\p{Cc}/u.test(name)) {
    throw new InvalidSetting(`${quoteValue(value)} is not a name for messages (1-${NAME_MAX} characters, no control characters)`);
  }
  return name;
}

export function parseTrackMode(value: string): TrackMode {
  const mode = value.trim().toLowerCase();
  if (mode === 'all' || mode === 'annotated') return mode;
  throw new InvalidSetting(`${quoteValue(value)} is neither "all" (watch every workload unless it opts out) nor "annotated" (watch only workloads or namespaces with acr-aks-sync.io/track: "true")`);
}

/** A string field read by `parse`; its InvalidSetting becomes an issue at the field. */
function checked<T>(parse: (value: string) => T) {
  return z.string({ error: 'must be a string' }).transform((value, ctx) => {
    try {
      return parse(value.trim());
    } catch (error) {
      if (!(error instanceof InvalidSetting)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });
}

const entrySchema = z.strictObject({
  slackChannel: checked(parseChannel).optional(),
  tagPattern: checked(parseTagPattern).optional(),
  gracePeriod: checked((text): WrittenDuration => ({ text, ms: duration(DURATION_BOUNDS.GRACE_PERIOD)(text) })).optional(),
  track: checked(parseTrackMode).optional(),
  excludedNamespaces: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of namespace names' }).transform((names, ctx) => {
    try {
      // parseNamespaces reads a comma-separated list; a name with a comma is refused by it anyway.
      return names.length === 0 ? [] : parseNamespaces(names.join(','));
    } catch (error) {
      if (!(error instanceof InvalidSetting)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  }).optional(),
  name: checked(parseClusterDisplayName).optional(),
});

const settingsSchema = z.record(z.string(), entrySchema, { error: 'must be a JSON object keyed by cluster name' });

/** The message and example of one zod issue, in the words of this setting. */
function problemOf(issue: z.core.$ZodIssue): SettingProblem {
  const path = issue.path.map(String);
  const key = path[1] as keyof ClusterSettingsEntry | undefined;
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(CLUSTER_SETTING_EXAMPLES).join(', ');
    return { path, message: `unknown ${issue.keys.length > 1 ? 'settings' : 'setting'} ${issue.keys.map((k) => quoteValue(k)).join(', ')}; the settings are ${known}`, example: CLUSTER_SETTINGS_EXAMPLE };
  }
  if (path.length === 1 && issue.code === 'invalid_type') return { path, message: 'must be an object of settings', example: CLUSTER_SETTINGS_EXAMPLE };
  return { path, message: issue.message, example: key && key in CLUSTER_SETTING_EXAMPLES ? CLUSTER_SETTING_EXAMPLES[key] : CLUSTER_SETTINGS_EXAMPLE };
}

/** CLUSTER_SETTINGS from its JSON text. Throws InvalidSetting with one problem per bad value, each naming its path. */
export function parseClusterSettings(value: string): ClusterSettingsConfig {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new InvalidSetting([{ message: `${quoteValue(value)} is not valid JSON; write one JSON object keyed by cluster name`, example: CLUSTER_SETTINGS_EXAMPLE }]);
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) throw new InvalidSetting(parsed.error.issues.map(problemOf));
  const problems: SettingProblem[] = [];
  const seen = new Map<string, string>();
  for (const key of Object.keys(parsed.data)) {
    // Display names key reports and alert state case-insensitively (CLUSTERS refuses two that differ only in case).
    const same = seen.get(key.toLowerCase());
    if (same !== undefined) problems.push({ path: [key], message: `names the same cluster as ${quoteValue(same)} (cluster names are compared without case)`, example: CLUSTER_SETTINGS_EXAMPLE });
    seen.set(key.toLowerCase(), key);
  }
  if (problems.length > 0) throw new InvalidSetting(problems);
  return parsed.data as ClusterSettingsConfig;
}

/** The entry for the cluster shown as `displayName`, with its key as written, compared without case. */
export function clusterSettingsFor(settings: ClusterSettingsConfig | undefined, displayName: string): { key: string; entry: ClusterSettingsEntry } | undefined {
  if (!settings) return undefined;
  const wanted = displayName.toLowerCase();
  for (const [key, entry] of Object.entries(settings)) if (key.toLowerCase() === wanted) return { key, entry };
  return undefined;
}

/**
 * Keys that name no cluster of CLUSTERS, when CLUSTERS lists every cluster by resource ID (a
 * `subscription:` entry finds clusters only when it runs): a typo would otherwise be ignored.
 */
export function unknownClusterProblems(settings: ClusterSettingsConfig | undefined, displayNames: readonly string[]): SettingProblem[] {
  if (!settings) return [];
  const known = new Set(displayNames.map((n) => n.toLowerCase()));
  return Object.keys(settings)
    .filter((key) => !known.has(key.toLowerCase()))
    .map((key) => ({
      path: [key],
      message: `names no cluster in CLUSTERS (its clusters are ${displayNames.map((n) => quoteValue(n)).join(', ')}); use the alias or cluster name`,
      example: CLUSTER_SETTINGS_EXAMPLE,
    }));
}
