/**
 * The status page: one server-rendered HTML document of a `StatusView`, with no script, no
 * external asset and one inline stylesheet (statusPageStyle.ts). Semantic tables with captions
 * and header scopes, a skip link, the language declared, times as `<time>` with their exact value
 * and status in words. Everything that came from a cluster, a registry or storage is escaped
 * (escapeHtml), so a hostile name is shown as the text it is.
 *
 * Below 40em the tables become cards (CSS display), which makes browsers drop their table
 * semantics; the rows therefore state theirs with ARIA roles.
 */
import { formatDuration } from '../util/duration.js';
import { escapeHtml as e } from '../util/html.js';
import { STATUS_PAGE_CSS } from './statusPageStyle.js';
import type { ClusterView, ItemView, StatusView } from './statusView.js';

export interface StatusPageOptions {
  /** Where the page came from, for its footer (`the status function`, `acr-aks-sync scan`). */
  source: string;
}

const STATUS_WORDS: Readonly<Record<string, string>> = { drift: 'Drift', 'stale-digest': 'Stale digest', pending: 'Pending', error: 'Error' };

function time(iso: string | undefined): string {
  if (!iso) return '<span class="muted">never</span>';
  return `<time datetime="${e(iso)}">${e(iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'))}</time>`;
}

const seconds = (s: number | undefined): string => (s === undefined ? 'unknown' : formatDuration(s * 1000));

function cell(label: string, html: string, cls = ''): string {
  return `<td role="cell" data-label="${e(label)}"${cls ? ` class="${cls}"` : ''}>${html}</td>`;
}

/** A table with its caption, header row and rows (each row already `<tr>…</tr>`). */
function table(caption: string, headers: readonly string[], rows: readonly string[]): string {
  const head = headers.map((h) => `<th role="columnheader" scope="col">${e(h)}</th>`).join('');
  return [
    `<table role="table">`,
    `<caption>${caption}</caption>`,
    `<thead role="rowgroup"><tr role="row">${head}</tr></thead>`,
    `<tbody role="rowgroup">${rows.join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

function rowHeader(html: string): string {
  return `<th role="rowheader" scope="row">${html}</th>`;
}

function clusterRow(c: ClusterView): string {
  const result = c.ok
    ? '<span class="badge ok">OK</span>'
    : `<span class="badge failed">Failed</span> <span class="reason">${e(c.error ?? 'the cluster could not be scanned')}</span>`;
  const lastSuccess = c.lastSuccessAt ? `${time(c.lastSuccessAt)}<br><span class="muted">${seconds(c.sinceLastSuccessSeconds)} ago</span>` : time(undefined);
  return [
    '<tr role="row">',
    rowHeader(`<code>${e(c.name)}</code>`),
    cell('Result', result),
    cell('Last scan', `${time(c.lastScanAt)}<br><span class="muted">took ${formatDuration(c.durationMs)}</span>`),
    cell('Last success', lastSuccess),
    cell('Pods', String(c.pods), 'num'),
    cell('Drift', String(c.counts.drift), 'num'),
    cell('Stale digest', String(c.counts['stale-digest']), 'num'),
    cell('Pending', String(c.counts.pending), 'num'),
    cell('Errors', String(c.counts.error), 'num'),
    '</tr>',
  ].join('');
}

function whereCell(i: ItemView): string {
  return cell('Cluster / namespace', `<code>${e(i.cluster)}</code> / <code>${e(i.namespace)}</code>`);
}

/** The row's header: the workload, and its container below. */
function workloadHeader(i: ItemView): string {
  return rowHeader(`<code>${e(`${i.workload.kind}/${i.workload.name}`)}</code><br><span class="muted">container <code>${e(i.container)}</code></span>`);
}

function imageCells(i: ItemView): string {
  return [
    cell('Team channel', i.channel ? `<code>${e(i.channel)}</code>` : '<span class="muted">none</span>'),
    cell('Running', `<code>${e(i.running)}</code>`),
    cell('Newest', i.newest ? `<code>${e(i.newest)}</code><br><span class="muted">pushed ${time(i.newestPushedAt ?? undefined)}</span>` : '<span class="muted">unknown</span>'),
  ].join('');
}

function laggingRow(i: ItemView): string {
  const badge = `<span class="badge ${e(i.status)}">${STATUS_WORDS[i.status] ?? e(i.status)}</span>`;
  return `<tr role="row">${workloadHeader(i)}${cell('Status', badge)}${cell('Lagging for', seconds(i.lagSeconds))}${whereCell(i)}${imageCells(i)}</tr>`;
}

function pendingRow(i: ItemView): string {
  const left = i.secondsLeft === 0 ? 'now (at the next scan)' : `in ${seconds(i.secondsLeft)}`;
  return `<tr role="row">${workloadHeader(i)}${cell('Counts as drift', `${left}<br><span class="muted">${time(i.countsAt)}</span>`)}${whereCell(i)}${imageCells(i)}</tr>`;
}

function errorRow(i: ItemView): string {
  return `<tr role="row">${workloadHeader(i)}${whereCell(i)}${cell('Running', `<code>${e(i.running)}</code>`)}${cell('Reason', e(i.reason ?? 'unknown'))}</tr>`;
}

const ITEM_HEADERS = ['Cluster / namespace', 'Team channel', 'Running', 'Newest'];

function section(id: string, title: string, body: string): string {
  return `<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2>\n${body}\n</section>`;
}

function itemSections(v: StatusView): string[] {
  const none = (what: string) => `<p class="muted">${what}</p>`;
  return [
    section('lagging', `Lagging workloads (${v.lagging.length})`, v.lagging.length
      ? table('Drift and stale-digest workloads, longest lag first', ['Workload', 'Status', 'Lagging for', ...ITEM_HEADERS], v.lagging.map(laggingRow))
      : none('No workload lags behind its newest release.')),
    section('pending', `Pending (${v.pending.length})`, v.pending.length
      ? table('Workloads inside the grace period, soonest to count first', ['Workload', 'Counts as drift', ...ITEM_HEADERS], v.pending.map(pendingRow))
      : none('No workload is inside a grace period.')),
    section('errors', `Not decided (${v.errors.length})`, v.errors.length
      ? table('Workloads whose newest release could not be found out', ['Workload', 'Cluster / namespace', 'Running', 'Reason'], v.errors.map(errorRow))
      : none('Every workload was decided.')),
  ];
}

function summary(v: StatusView): string {
  const failed = v.clusters.filter((c) => !c.ok).length;
  const item = (n: number, what: string) => `<li><strong>${n}</strong> ${what}</li>`;
  return `<ul class="summary" aria-label="Summary">${item(v.clusters.length, 'clusters')}${item(failed, 'failed at their latest scan')}${item(v.lagging.length, 'lagging')}${item(v.pending.length, 'pending')}${item(v.errors.length, 'not decided')}</ul>`;
}

function notes(v: StatusView): string {
  const lines = [
    v.itemsOmitted ? `${v.itemsOmitted} more item(s) are not listed: each cluster's record keeps its 200 most urgent.` : '',
    v.unreadableRecords ? `${v.unreadableRecords} stored status record(s) could not be read (written by another version) and are not shown.` : '',
  ].filter(Boolean);
  return lines.map((l) => `<p class="muted">${l}</p>`).join('\n');
}

export function renderStatusPage(v: StatusView, options: StatusPageOptions): string {
  const clusters = v.clusters.length
    ? table('The latest scan of each cluster, failed ones first', ['Cluster', 'Result', 'Last scan', 'Last success', 'Pods', 'Drift', 'Stale digest', 'Pending', 'Errors'], v.clusters.map(clusterRow))
    : '<p class="muted">No scan has stored a status yet.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>acr-aks-sync status</title>
<style>${STATUS_PAGE_CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the clusters and workloads</a>
<header>
<h1>Image drift across the estate</h1>
<p class="muted">acr-aks-sync, as of ${time(v.generatedAt)}</p>
${summary(v)}
</header>
<main id="main" tabindex="-1">
${section('clusters', 'Clusters', clusters)}
${itemSections(v).join('\n')}
${notes(v)}
</main>
<footer><p>From ${e(options.source)}. Lag counts from the push of the newest release; times are UTC.</p></footer>
</body>
</html>
`;
}
