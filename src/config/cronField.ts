/**
 * One field of a cron expression, read exactly as NCrontab 3.3.3 (the parser of the Functions
 * timer extension) reads it, so that what passes here is what the host accepts:
 *
 * - a field is a list (`a,b,c`, no empty entries) of items; an item is `*`, a value, or a range
 *   `a-b`, each optionally followed by `/step`;
 * - a value is a decimal number, or, in the month and day-of-week fields, a case-insensitive
 *   prefix of an English name (`Jan`, `ju` = June, `W` = Wednesday: the first name in calendar
 *   order that starts with it);
 * - a range may be written backwards (`Fri-Mon` is Monday to Friday), a value with a step
 *   (`5/15`) runs from the value to the field's maximum, and a step below 1 counts as 1;
 * - every value must lie in the field's range: day-of-week is 0-6 (Sunday is 0, 7 is refused),
 *   and Quartz syntax (`?`, `L`, `W` after a day, `#`) is not known.
 */
import { quoteValue } from '../util/text.js';

export type CronFieldKind = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'day-of-week';

interface FieldRule {
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const CRON_FIELD_RULES: Readonly<Record<CronFieldKind, FieldRule>> = {
  second: { min: 0, max: 59 },
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  day: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTHS },
  'day-of-week': { min: 0, max: 6, names: DAYS },
};

/** .NET's `int.Parse` fails with an overflow the host does not catch: the timer is then in error. */
const INT32_MAX = 2_147_483_647;
const QUARTZ_ONLY = /[?#]|^(?:\d*L|L-?\d*|\d*W|LW)$/i;

/** Thrown with what is wrong with one item, without the field name (the caller adds it). */
class FieldProblem extends Error {}

function valueOf(text: string, kind: CronFieldKind): number {
  const rule = CRON_FIELD_RULES[kind];
  if (text.length === 0) throw new FieldProblem('a value is missing');
  if (/^[0-9]/.test(text)) {
    if (!/^[0-9]+$/.test(text)) throw new FieldProblem(`${quoteValue(text)} is not a number`);
    const value = Number(text);
    if (value > INT32_MAX) throw new FieldProblem(`${quoteValue(text)} is out of range ${rule.min}-${rule.max}`);
    return value;
  }
  const { names } = rule;
  if (names === undefined) throw new FieldProblem(`${quoteValue(text)} is not a number from ${rule.min} to ${rule.max}`);
  // NCrontab compares with the invariant culture; only ASCII letters are taken here, so no
  // culture rule can make a stranger spelling match.
  const lower = text.toLowerCase();
  const index = /^[a-z]+$/.test(lower) ? names.findIndex((name) => name.toLowerCase().startsWith(lower)) : -1;
  if (index === -1) throw new FieldProblem(`${quoteValue(text)} is not a number from ${rule.min} to ${rule.max} or a name (${names.map((n) => n.slice(0, 3)).join(', ')})`);
  return index + rule.min;
}

function inRange(value: number, kind: CronFieldKind): void {
  const { min, max } = CRON_FIELD_RULES[kind];
  if (value >= min && value <= max) return;
  const sunday = kind === 'day-of-week' && value === 7 ? ' (Sunday is 0; 7 is not allowed)' : '';
  throw new FieldProblem(`${value} is out of range ${min}-${max}${sunday}`);
}

/** `.NET int.Parse`: optional sign, ASCII digits, within 32 bits. */
function stepOf(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new FieldProblem(`step ${quoteValue(text)} is not a whole number`);
  const step = Number(text);
  if (Math.abs(step) > INT32_MAX) throw new FieldProblem(`step ${quoteValue(text)} is too large`);
  return step;
}

function addItem(item: string, kind: CronFieldKind, values: Set<number>): void {
  const { min, max } = CRON_FIELD_RULES[kind];
  if (item.length === 0) throw new FieldProblem('a list entry is empty');
  let body = item;
  let step = 1;
  const slash = item.indexOf('/');
  if (slash > 0) {
    step = Math.max(1, stepOf(item.slice(slash + 1)));
    body = item.slice(0, slash);
  }
  let start: number;
  let end: number;
  if (body === '*') {
    [start, end] = [min, max];
  } else {
    const dash = body.indexOf('-');
    if (dash > 0) {
      const first = valueOf(body.slice(0, dash), kind);
      const last = valueOf(body.slice(dash + 1), kind);
      [start, end] = first <= last ? [first, last] : [last, first];
    } else {
      start = valueOf(body, kind);
      end = slash > 0 ? Math.max(start, max) : start;
    }
    inRange(start, kind);
    inRange(end, kind);
  }
  for (let value = start; value <= end; value += step) values.add(value);
}

/**
 * The values `token` selects in a field of `kind`, or a message naming the field, what is
 * wrong, and (for Quartz syntax) what to write instead.
 */
export function parseCronField(token: string, kind: CronFieldKind): { values: ReadonlySet<number> } | { error: string } {
  const values = new Set<number>();
  // As in NCrontab, a leading "," is not a list separator; the item then fails as a value.
  const items = token.indexOf(',') > 0 ? token.split(',') : [token];
  for (const item of items) {
    try {
      addItem(item, kind, values);
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      const quartz = QUARTZ_ONLY.test(item) ? '; "?", "L", "W" and "#" are Quartz syntax, which the Functions host (NCrontab) does not know: use * or a list' : '';
      return { error: `${kind} field ${quoteValue(token)}: ${error.message}${quartz}` };
    }
  }
  return { values };
}
