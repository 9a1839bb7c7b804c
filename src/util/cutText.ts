/**
 * Bounds text that came from outside (a setting, a pod spec) before it goes into a message,
 * a report or a log: the start is kept, the cut is marked with the full length, so a
 * 100,000-character value costs a line, not 100,000 characters.
 */

/** How much of a value a configuration or failure message quotes. */
export const QUOTED_VALUE_MAX = 80;

/** The first `max` characters of `text`, never splitting a surrogate pair. */
function head(text: string, max: number): string {
  const end = Math.max(0, max);
  const last = text.charCodeAt(end - 1);
  // A high surrogate at the end would leave half a character behind.
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, end - 1) : text.slice(0, end);
}

/** `text` itself when it has at most `max` characters; otherwise its start, `…` and its length. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${head(text, max)}… (${text.length} characters)`;
}

/**
 * `text` in double quotes (JSON-escaped, so it cannot add lines to a message), cut to `max`
 * characters with the full length after the closing quote: `"prod-[0-9…" (100000 characters)`.
 */
export function quoteValue(text: string, max: number = QUOTED_VALUE_MAX): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(`${head(text, max)}…`)} (${text.length} characters)`;
}
