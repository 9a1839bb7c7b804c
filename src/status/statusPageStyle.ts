/**
 * The status page's only stylesheet, inline (no external asset: the page must work behind a
 * firewall). Colours keep a contrast of at least 4.5:1 with their background (WCAG AA; the
 * browser test measures every text element), status is said in words, never by colour alone,
 * and below 40em each table row becomes a card with its column names beside the values, so a
 * phone needs no sideways scrolling.
 */
export const STATUS_PAGE_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5361; --line: #d0d7de; --head: #f3f5f8;
  --ok: #14632f; --bad: #a61b12; --warn: #7a4100; --info: #1f4fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
.skip { position: absolute; left: -999em; top: 0; background: var(--ink); color: #fff; padding: .5em 1em; z-index: 1; }
.skip:focus { left: 0; }
header, main, footer { max-width: 80em; margin: 0 auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin: .8em 0 .2em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .4em; }
p { margin: .3em 0; }
.muted, footer { color: var(--muted); }
.summary { display: flex; flex-wrap: wrap; gap: .5em 1.5em; margin: .6em 0; padding: 0; list-style: none; }
.summary strong { font-size: 1.3em; }
table { width: 100%; border-collapse: collapse; margin: .4em 0 1em; }
caption { text-align: left; font-weight: 600; padding: .3em 0; }
th, td { text-align: left; vertical-align: top; padding: .4em .6em; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
thead th { white-space: nowrap; }
tbody th { font-weight: normal; }
thead th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
/* Names and images are long and unbroken: they wrap at any character, within a column of at least 12 characters. */
td code, tbody th code { overflow-wrap: anywhere; }
td, tbody th { min-width: 12ch; }
td.num { min-width: 0; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .3em; font-weight: 600; color: #fff; white-space: nowrap; }
.badge.ok { background: var(--ok); }
.badge.failed, .badge.drift { background: var(--bad); }
.badge.stale-digest, .badge.error { background: var(--warn); }
.badge.pending { background: var(--info); }
.reason { color: var(--bad); }
footer { margin-top: 2em; padding-bottom: 2em; }
footer p { font-size: .9em; }
@media (max-width: 40em) {
  table, thead, tbody, tr, th, td, caption { display: block; }
  thead tr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  tbody tr { border: 1px solid var(--line); border-radius: .4em; margin: 0 0 .8em; padding: .3em 0; }
  th, td { border: 0; padding: .15em .8em; min-width: 0; }
  thead th { white-space: normal; }
  td.num { text-align: left; }
  td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
`;
