/**
 * Durations in settings (`90s`, `3m`, `1h30m`, `500ms`, `2d`) and in messages (`1h 5m`).
 */
import { cutText, quoteValue } from './text.js';

const UNIT_MS = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
} as const;
type Unit = keyof typeof UNIT_MS;
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

const EXAMPLES = '90s, 3m, 1h30m, 500ms, 2d';
const COMPONENT = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|d|h|m|s)/y;

/**
 * Milliseconds in `text`: one or more `<number><unit>` parts, largest unit first, each unit at
 * most once (`1h30m`, `1h 30m`, `1.5h`). Units: `d`, `h`, `m`, `s`, `ms` (case-insensitive).
 * A bare `0` is zero. Throws an `Error` saying what is wrong otherwise.
 */
export function parseDuration(text: string): number {
  const input = typeof text === 'string' ? text.trim() : '';
  if (input.length === 0) throw new Error(`duration is empty; expected e.g. ${EXAMPLES}`);
  if (/^0+$/.test(input)) return 0;
  if (/^-/.test(input)) throw new Error(`duration ${quoteValue(input)} is negative; expected e.g. ${EXAMPLES}`);
  if (/^\d+(?:\.\d+)?$/.test(input)) {
    throw new Error(`duration ${quoteValue(input)} has no unit; write e.g. ${cutText(input, 20)}s or ${cutText(input, 20)}m`);
  }

  const lower = input.toLowerCase();
  let total = 0;
  let position = 0;
  let previous = -1;
  COMPONENT.lastIndex = 0;
  while (position < lower.length) {
    COMPONENT.lastIndex = position;
    const match = COMPONENT.exec(lower);
    if (!match) {
      throw new Error(`duration ${quoteValue(input)} is not understood at ${quoteValue(input.slice(position))}; expected e.g. ${EXAMPLES}`);
    }
    const unit = match[2] as Unit;
    const rank = UNIT_ORDER.indexOf(unit);
    if (rank <= previous) {
      throw new Error(`duration ${quoteValue(input)} must give each unit once, largest first (d, h, m, s, ms), e.g. 1h30m`);
    }
    previous = rank;
    total += Number(match[1]) * UNIT_MS[unit];
    position = COMPONENT.lastIndex;
    while (lower[position] === ' ') position++;
  }
  if (!Number.isSafeInteger(Math.round(total))) throw new Error(`duration ${quoteValue(input)} is too long`);
  return Math.round(total);
}

/**
 * A compact human form for messages: the largest unit and, when not zero, the next one
 * (`45s`, `3m`, `1h 5m`, `2d 3h`); below a second, milliseconds (`500ms`); zero is `0s`. Truncates rather
 * than rounds, so "pushed 2h 59m ago" never reads as "3h".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const value = Math.floor(Math.abs(ms));
  if (value === 0) return '0s';
  if (value < 1_000) return `${sign}${value}ms`;
  const units: readonly Unit[] = ['d', 'h', 'm', 's'];
  for (let i = 0; i < units.length; i++) {
    const unit = units[i] as Unit;
    const count = Math.floor(value / UNIT_MS[unit]);
    if (count === 0) continue;
    const next = units[i + 1];
    const parts = [`${count}${unit}`];
    if (next) {
      const nextCount = Math.floor((value % UNIT_MS[unit]) / UNIT_MS[next]);
      if (nextCount > 0) parts.push(`${nextCount}${next}`);
    }
    return sign + parts.join(' ');
  }
  return `${sign}${value}ms`;
}
