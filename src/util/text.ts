/**
 * Bounds text that came from outside (a setting, a pod spec, a service's answer) before it goes
 * into a message, a report, a log or stored state, so that a 100,000-character value costs a
 * line, not 100,000 characters. Kubernetes checks little about names (an owner's name need only
 * be non-empty), and a reason must stay short and readable whatever it quotes. Each form keeps
 * the start and marks the cut with `…`:
 *
 * - `clip`: at most `max` characters in all (reasons and logs that quote a name);
 * - `clipCodePoints`: the same counted in code points, never splitting a character (Slack text,
 *   stored findings);
 * - `cutText` and `quoteValue`: the start, then the full length (configuration and failure
 *   messages, which say how long the value was).
 */

/** The longest quote of an outside string in a reason, unless the caller says otherwise. */
export const MAX_QUOTED_CHARS = 120;

/** How much of a value a configuration or failure message quotes. */
export const QUOTED_VALUE_MAX = 80;

/** `text` cut to at most `max` characters, an ellipsis in place of what was cut. */
export function clip(text: string, max: number = MAX_QUOTED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Cuts to `max` code points (never between the halves of a surrogate pair), marking the cut with `…`. */
export function clipCodePoints(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

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
