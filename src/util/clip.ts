/**
 * Strings from clusters and services are quoted in reasons and logs only in part: a pod may
 * carry a name of any length (Kubernetes checks only that owner names are non-empty), and a
 * reason must stay short and readable whatever it quotes.
 */

/** The longest quote of an outside string in a reason, unless the caller says otherwise. */
export const MAX_QUOTED_CHARS = 120;

/** `text` cut to at most `max` characters, an ellipsis in place of what was cut. */
export function clip(text: string, max: number = MAX_QUOTED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
