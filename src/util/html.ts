/**
 * Text put into HTML. Everything from a cluster, a registry or storage goes through `escapeHtml`
 * before it is part of a page: as element text and as a quoted attribute value it can then only
 * ever be text, whatever it holds.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `&`, `<`, `>`, `"` and `'` as entities: safe as element text and inside a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
