/**
 * The value parsers of the configuration: each takes a trimmed, non-empty setting and returns
 * its value or throws `InvalidSetting` saying what is wrong (quoting at most the start of it).
 */
import { validateTagPattern } from '../images/tagPattern.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { quoteValue } from '../util/text.js';
import { ClusterTargetsError, parseClusterTargets, splitList, type ClusterTarget } from './clusterTargets.js';
import { InvalidSetting, SECRET_NOTE, type SettingProblem } from './invalidSetting.js';

export type ScanFanout = 'inline' | 'queue';

export function integer(min: number, max: number) {
  return (value: string): number => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidSetting(`${quoteValue(value)} is not a whole number from ${min} to ${max}`);
    }
    return number;
  };
}

/** host.json's `functionTimeout` (01:00:00): the longest a function invocation may run. */
export const FUNCTION_TIMEOUT_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface DurationBounds {
  allowZero: boolean;
  maxMs: number;
  /** Why the maximum, for the message. */
  why: string;
}

/**
 * The duration settings and their bounds. CLUSTER_TIMEOUT arms a timer and is a budget within
 * the invocation: a longer one can never end before the host kills the function (and one above
 * 2^31 ms overflowed Node's timer into firing at once). GRACE_PERIOD and NOTIFY_REPEAT_INTERVAL
 * feed no timer, only comparisons of times; they are bounded so that a slip of unit cannot
 * silence alerts for months.
 */
export const DURATION_BOUNDS = {
  GRACE_PERIOD: { allowZero: true, maxMs: 7 * DAY_MS, why: 'a release that is not rolled out within a week is drift' },
  CLUSTER_TIMEOUT: {
    allowZero: false,
    maxMs: FUNCTION_TIMEOUT_MS,
    why: "the function may run for 1h at most (host.json functionTimeout), and one cluster's budget cannot outlast it",
  },
  NOTIFY_REPEAT_INTERVAL: { allowZero: true, maxMs: 30 * DAY_MS, why: 'a reminder rarer than monthly reminds no one' },
} as const satisfies Readonly<Record<string, DurationBounds>>;

export function duration(bounds: DurationBounds) {
  return (value: string): number => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (error) {
      throw new InvalidSetting((error as Error).message);
    }
    if (ms === 0 && !bounds.allowZero) throw new InvalidSetting(`${quoteValue(value)} must be longer than zero`);
    if (ms > bounds.maxMs) throw new InvalidSetting(`${quoteValue(value)} is longer than the maximum of ${formatDuration(bounds.maxMs)}: ${bounds.why}`);
    return ms;
  };
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

export function parseBoolean(value: string): boolean {
  const word = value.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new InvalidSetting(`${quoteValue(value)} is not a boolean; use true/false, 1/0 or yes/no`);
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseNamespaces(value: string): string[] {
  const names: string[] = [];
  const problems: SettingProblem[] = [];
  for (const name of splitList(value)) {
    if (!NAMESPACE.test(name)) {
      problems.push({ message: `${quoteValue(name)} is not a Kubernetes namespace name (lowercase letters, digits and "-", at most 63)` });
    } else if (!names.includes(name)) {
      names.push(name);
    }
  }
  if (problems.length > 0) throw new InvalidSetting(problems);
  return names;
}

const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
const SLACK_CHANNEL_NAME = /^[\p{Ll}\p{Lo}\p{N}_-]{1,80}$/u;

export function parseChannel(value: string): string {
  const channel = value.startsWith('#') ? value.slice(1) : value;
  if (SLACK_CHANNEL_ID.test(channel) || SLACK_CHANNEL_NAME.test(channel)) return channel;
  throw new InvalidSetting(
    `${quoteValue(value)} is neither a channel name (lowercase letters, digits, "-" and "_", at most 80) nor a channel ID (C0123456789)`,
  );
}

const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

export function parseLabelKey(value: string): string {
  const slash = value.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : value.slice(0, slash);
  const name = slash === -1 ? value : value.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || !LABEL_NAME.test(name)) {
    throw new InvalidSetting(`${quoteValue(value)} is not a Kubernetes label key ([prefix/]name, name at most 63 letters, digits, "-", "_", ".")`);
  }
  return value;
}

export function parseEmoji(value: string): string {
  const name = value.replace(/^:/, '').replace(/:$/, '').toLowerCase();
  if (!/^[a-z0-9_+'-]+$/.test(name)) throw new InvalidSetting(`${quoteValue(value)} is not an emoji name like warning or :warning:`);
  return name;
}

export function parseUsername(value: string): string {
  if (value.length > 80) throw new InvalidSetting(`is ${value.length} characters long; Slack allows at most 80`);
  return value;
}

export function parseBotToken(value: string): string {
  if (!/^xoxb-[A-Za-z0-9-]+$/.test(value)) {
    throw new InvalidSetting(`must be a Slack bot token, which starts with "xoxb-" ${SECRET_NOTE}`);
  }
  return value;
}

export function parseTagPattern(value: string): string {
  const problem = validateTagPattern(value);
  if (problem) throw new InvalidSetting(problem);
  return value;
}

export function parseGuid(value: string): string {
  if (!GUID.test(value)) throw new InvalidSetting(`${quoteValue(value)} is not a GUID (the managed identity's client ID)`);
  return value;
}

export function parseTableName(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(value)) {
    throw new InvalidSetting(`${quoteValue(value)} is not an Azure table name (3-63 letters and digits, starting with a letter)`);
  }
  if (value.toLowerCase() === 'tables') throw new InvalidSetting(`"tables" is reserved by Azure Table storage`);
  return value;
}

export function parseFanout(value: string): ScanFanout {
  const fanout = value.toLowerCase();
  if (fanout === 'inline' || fanout === 'queue') return fanout;
  throw new InvalidSetting(`${quoteValue(value)} must be "inline" (scan every cluster in the timer run) or "queue" (one queue message per cluster)`);
}

export function parseQueueName(value: string): string {
  if (value.length < 3 || value.length > 63 || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value)) {
    throw new InvalidSetting(
      `${quoteValue(value)} is not an Azure queue name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)`,
    );
  }
  return value;
}

export function parseClustersSetting(requireClusters: boolean) {
  return (value: string | undefined): ClusterTarget[] => {
    let targets: ClusterTarget[] = [];
    if (value !== undefined) {
      try {
        targets = parseClusterTargets(value);
      } catch (error) {
        if (!(error instanceof ClusterTargetsError)) throw error;
        throw new InvalidSetting(error.problems.map((p) => ({ message: `entry ${quoteValue(p.entry)}: ${p.message}`, example: p.example })));
      }
    }
    if (targets.length === 0 && requireClusters) {
      throw new InvalidSetting('is required: list the AKS clusters to scan (resource IDs or subscription:<id>), comma-separated');
    }
    return targets;
  };
}
