/**
 * A local preview of the workbook's layout (infra/workbook.json), for docs/workbook-layout.png:
 * its items in order, at their widths, text items as their headings and paragraphs, the time
 * range parameter as a pill, and each query as a card with its title, its visualisation (a small
 * drawing of a time chart, bar chart or table) and the metric or log line it reads. No data: the
 * real charts need Application Insights.
 */
import { escapeHtml as e } from '../src/util/html.js';

interface Item {
  type: number;
  name?: string;
  customWidth?: string;
  content?: { json?: string; title?: string; query?: string; visualization?: string; items?: Item[]; parameters?: Array<{ label?: string; name?: string }> };
}

const CHARTS: Readonly<Record<string, string>> = {
  timechart: '<svg viewBox="0 0 200 60" role="img" aria-label="time chart"><polyline fill="none" stroke="#1f4fbf" stroke-width="2" points="0,50 25,42 50,45 75,30 100,34 125,20 150,26 175,12 200,16"/><polyline fill="none" stroke="#a61b12" stroke-width="2" points="0,55 25,52 50,50 75,51 100,44 125,46 150,40 175,43 200,38"/></svg>',
  barchart: '<svg viewBox="0 0 200 60" role="img" aria-label="bar chart"><g fill="#1f4fbf"><rect x="10" y="20" width="30" height="40"/><rect x="60" y="35" width="30" height="25"/><rect x="110" y="10" width="30" height="50"/><rect x="160" y="45" width="30" height="15"/></g></svg>',
  table: '<svg viewBox="0 0 200 60" role="img" aria-label="table"><g fill="#d0d7de"><rect x="0" y="0" width="200" height="10"/><rect x="0" y="16" width="200" height="6"/><rect x="0" y="28" width="200" height="6"/><rect x="0" y="40" width="200" height="6"/><rect x="0" y="52" width="200" height="6"/></g></svg>',
};

/** The few Markdown forms the workbook's text items use: headings, paragraphs, `code`. */
function markdown(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const inline = e(line.replace(/^#+\s*/, '')).replace(/`([^`]+)`/g, '<code>$1</code>');
      if (line.startsWith('## ')) return `<h2>${inline}</h2>`;
      if (line.startsWith('# ')) return `<h1>${inline}</h1>`;
      return `<p>${inline}</p>`;
    })
    .join('\n');
}

/** What a query reads: its metric names, or the log message it looks for. */
function reads(query: string): string {
  const metrics = [...new Set([...query.matchAll(/"(acrsync\.[^"]+)"/g)].map((m) => m[1] ?? ''))];
  if (metrics.length) return metrics.map((m) => `<code>${e(m)}</code>`).join(' ');
  const message = /message startswith "([^"]+)"/.exec(query)?.[1];
  return message ? `traces: <code>${e(message.trim())}</code>` : '';
}

function item(i: Item): string {
  const width = `${Number(i.customWidth ?? '100')}%`;
  if (i.type === 1) return `<div class="item text" style="width:${width}">${markdown(i.content?.json ?? '')}</div>`;
  if (i.type === 9) {
    const pills = (i.content?.parameters ?? []).map((p) => `<span class="pill">${e(p.label ?? p.name ?? '')}: Last 7 days</span>`).join('');
    return `<div class="item params" style="width:100%">${pills}</div>`;
  }
  if (i.type === 12) return (i.content?.items ?? []).map(item).join('\n');
  const visual = i.content?.visualization ?? 'table';
  return [
    `<div class="item query" style="width:${width}"><div class="card">`,
    `<h3>${e(i.content?.title ?? '')}</h3>`,
    CHARTS[visual] ?? CHARTS.table,
    `<p class="meta">${e(visual)} · ${reads(i.content?.query ?? '')}</p>`,
    '</div></div>',
  ].join('');
}

export function renderWorkbookPreview(workbook: { items: Item[] }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbook layout preview</title>
<style>
body { margin: 0; padding: 16px; font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; background: #f3f5f8; width: 1200px; }
.grid { display: flex; flex-wrap: wrap; }
.item { box-sizing: border-box; padding: 6px; }
.text h1 { font-size: 20px; margin: 4px 0; } .text h2 { font-size: 16px; margin: 10px 0 0; } .text p { margin: 4px 0; color: #4a5361; }
.pill { display: inline-block; border: 1px solid #1f4fbf; color: #1f4fbf; border-radius: 12px; padding: 2px 10px; background: #fff; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 4px; padding: 8px 10px; height: 150px; overflow: hidden; }
.card h3 { font-size: 13px; margin: 0 0 6px; } .card svg { width: 100%; height: 70px; }
.meta { margin: 6px 0 0; color: #4a5361; font-size: 12px; } code { font-size: 11px; }
.banner { color: #4a5361; margin: 0 6px 8px; }
</style></head>
<body><p class="banner">Layout preview of infra/workbook.json (acr-aks-sync's workbook); drawings stand for the charts, which show the app's metrics in Application Insights.</p>
<div class="grid">
${workbook.items.map(item).join('\n')}
</div></body></html>
`;
}
