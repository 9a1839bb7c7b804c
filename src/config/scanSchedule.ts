/**
 * SCAN_SCHEDULE, checked as the Functions timer extension checks it (azure-webjobs-sdk-extensions
 * `TimerSchedule.Create`): an NCrontab expression, six fields with seconds or five without
 * (the host counts the fields), else a .NET TimeSpan (`hh:mm:ss`, `d.hh:mm:ss`). A value the
 * host rejects puts the timer function in error, so no scan runs while `scanNow` still answers;
 * the caller registers the default instead and says so (see `resolveScanSchedule`).
 *
 * Stricter than the host, on purpose, where the host would accept a schedule that does not do
 * what was meant: a bare number (the host reads `5` as five days), a zero or negative span, a
 * span over a year, the culture-dependent TimeSpan forms (`d:hh:mm:ss`, `hh:mm:.ff`), and a
 * cron expression that never fires (`0 0 0 30 2 *`). Each gets a message and an example.
 */
import { quoteValue } from '../util/text.js';
import { parseCronField, type CronFieldKind } from './cronField.js';

/** Every 5 minutes, on the minute. */
export const DEFAULT_SCAN_SCHEDULE = '0 */5 * * * *';

export type ScanSchedule =
  | { kind: 'cron'; /** The fields joined by single spaces: what is registered with the host. */ expression: string }
  | { kind: 'interval'; expression: string; intervalMs: number };

export interface ScheduleProblem {
  message: string;
  /** A good value like the one given (five fields, six fields or a time span). */
  example: string;
}

const SIX_FIELDS: readonly CronFieldKind[] = ['second', 'minute', 'hour', 'day', 'month', 'day-of-week'];
/** A good six-field value per field, shown after a problem in that field. */
const FIELD_EXAMPLES: Readonly<Record<CronFieldKind, string>> = {
  second: '0 */5 * * * *',
  minute: '0 */15 * * * *',
  hour: '0 0 7-19 * * *',
  day: '0 0 9 1,15 * *',
  month: '0 0 9 1 Jan,Jul *',
  'day-of-week': '0 0 9 * * Mon-Fri',
};
const INTERVAL_EXAMPLE = '00:05:00';
/** Longest day in each month, February in a leap year: NCrontab waits for it. */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseCron(tokens: readonly string[]): { schedule: ScanSchedule } | { problem: ScheduleProblem } {
  const kinds = tokens.length === 6 ? SIX_FIELDS : SIX_FIELDS.slice(1);
  const example = (kind: CronFieldKind) => (tokens.length === 6 ? FIELD_EXAMPLES[kind] : FIELD_EXAMPLES[kind].split(' ').slice(1).join(' '));
  const selected = new Map<CronFieldKind, ReadonlySet<number>>();
  for (const [index, kind] of kinds.entries()) {
    const result = parseCronField(tokens[index] ?? '', kind);
    if ('error' in result) return { problem: { message: result.error, example: example(kind) } };
    selected.set(kind, result.values);
  }
  const days = [...(selected.get('day') ?? [])];
  const months = [...(selected.get('month') ?? [])];
  if (!months.some((month) => days.some((day) => day <= (MONTH_DAYS[month - 1] ?? 0)))) {
    return {
      problem: {
        message: `${quoteValue(tokens.join(' '))} never runs: none of its months has any of its days (e.g. 30 February)`,
        example: example('day'),
      },
    };
  }
  return { schedule: { kind: 'cron', expression: tokens.join(' ') } };
}

const TIME_SPAN = /^(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d+))?)?$/;
const MS = { day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1_000 } as const;
const LONGEST_INTERVAL_DAYS = 365;

function parseInterval(text: string): { schedule: ScanSchedule } | { problem: ScheduleProblem } {
  const problem = (what: string) => ({ problem: { message: `${quoteValue(text)} ${what}`, example: INTERVAL_EXAMPLE } });
  if (text.startsWith('-')) return problem('is a negative time span; the timer needs a positive interval');
  if (/^\d+$/.test(text)) {
    return problem(`is a bare number, which the Functions host reads as ${text} days; write a time span (00:05:00 is five minutes, 2.00:00:00 two days) or a cron expression`);
  }
  const match = TIME_SPAN.exec(text);
  if (!match) {
    return {
      problem: {
        message: `${quoteValue(text)} is neither a cron expression (6 fields: second minute hour day month day-of-week, or 5 without seconds) nor a time span (hh:mm:ss or d.hh:mm:ss)`,
        example: DEFAULT_SCAN_SCHEDULE,
      },
    };
  }
  const [days = 0, hours = 0, minutes = 0, seconds = 0] = match.slice(1, 5).map((part) => (part === undefined ? undefined : Number(part)));
  const fraction = match[5] ?? '';
  if (hours > 23) return problem('has more than 23 hours; write days in front, as in 1.00:00:00');
  if (minutes > 59) return problem('has more than 59 minutes');
  if (seconds > 59) return problem('has more than 59 seconds');
  if (fraction.length > 7) return problem('has more than 7 digits after the seconds');
  // .NET counts in ticks of 100 ns: seven fraction digits.
  const fractionMs = Number(fraction.padEnd(7, '0')) / 10_000;
  const intervalMs = days * MS.day + hours * MS.hour + minutes * MS.minute + seconds * MS.second + fractionMs;
  if (intervalMs > LONGEST_INTERVAL_DAYS * MS.day) return problem(`is longer than ${LONGEST_INTERVAL_DAYS} days; a scan that rare watches nothing`);
  if (intervalMs <= 0) return problem('is zero; the timer needs a positive interval');
  return { schedule: { kind: 'interval', expression: text, intervalMs } };
}

/** The schedule in `text` (trimmed, not empty), or what is wrong with it and a good example. */
export function parseScanSchedule(text: string): { schedule: ScanSchedule } | { problem: ScheduleProblem } {
  const trimmed = text.trim();
  if (trimmed.includes('%')) {
    return {
      problem: {
        message: `${quoteValue(trimmed)}: %NAME% app-setting references are not followed here; give the schedule itself`,
        example: DEFAULT_SCAN_SCHEDULE,
      },
    };
  }
  const tokens = trimmed.split(/\s+/);
  if (tokens.length === 5 || tokens.length === 6) return parseCron(tokens);
  if (tokens.length === 1) return parseInterval(trimmed);
  return {
    problem: {
      message: `${quoteValue(trimmed)} has ${tokens.length} fields; the Functions timer takes 6 (second minute hour day month day-of-week), 5 (minute hour day month day-of-week) or a time span (hh:mm:ss)`,
      example: DEFAULT_SCAN_SCHEDULE,
    },
  };
}

export interface ResolvedScanSchedule {
  /** What to register with the host: the setting's schedule, or the default when it is unset or invalid. */
  expression: string;
  /** Why the setting was not used; the default runs until it is fixed. */
  problem?: ScheduleProblem;
}

/**
 * SCAN_SCHEDULE as the timer is to be registered. An invalid value is never registered: the
 * host would put the timer in error and no scan would run. The default runs instead, and
 * `problem` says why, for the configuration's warnings.
 */
export function resolveScanSchedule(value: string | undefined): ResolvedScanSchedule {
  if (value === undefined || value.trim() === '') return { expression: DEFAULT_SCAN_SCHEDULE };
  const parsed = parseScanSchedule(value);
  if ('schedule' in parsed) return { expression: parsed.schedule.expression };
  return {
    expression: DEFAULT_SCAN_SCHEDULE,
    problem: {
      message: `${parsed.problem.message}; the timer runs on the default schedule "${DEFAULT_SCAN_SCHEDULE}" until SCAN_SCHEDULE is fixed`,
      example: parsed.problem.example,
    },
  };
}
