/**
 * The demo's closing table of the metrics the scans sent to Application Insights: those of the
 * last scan, one line per metric and dimensions (a histogram as its count and mean), then the
 * counters added up over every scan.
 */
import type { MetricPoint } from '../emulators/appInsights.js';
import { METRICS, type MetricKind } from '../src/metrics/metricNames.js';

const DEFINITIONS = new Map<string, { kind: MetricKind; unit: string }>(Object.values(METRICS).map((m) => [m.name, m]));

const label = (p: MetricPoint): string => `${p.name}{${Object.entries(p.dimensions).map(([k, v]) => `${k}=${v}`).join(',')}}`;
const shown = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(3));

function valueOf(p: MetricPoint): string {
  const definition = DEFINITIONS.get(p.name);
  const unit = !definition || definition.unit.startsWith('{') ? '' : ` ${definition.unit}`;
  return definition?.kind === 'histogram' ? `${p.count} recorded, mean ${shown(p.value / p.count)}${unit}` : `${shown(p.value)}${unit}`;
}

function printTable(rows: ReadonlyArray<[string, string]>): void {
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  for (const [l, v] of [...rows].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`  ${l.padEnd(width)}  ${v}`);
}

/** `batches`: the metric points of each scan, in order. */
export function printMetrics(batches: readonly MetricPoint[][]): void {
  const last = batches.at(-1) ?? [];
  console.log('The last scan:');
  printTable(last.map((p) => [label(p), valueOf(p)]));
  const totals = new Map<string, number>();
  for (const p of batches.flat()) if (DEFINITIONS.get(p.name)?.kind === 'counter') totals.set(label(p), (totals.get(label(p)) ?? 0) + p.value);
  console.log(`Counters over all ${batches.length} scans:`);
  printTable([...totals].map(([l, n]) => [l, shown(n)]));
}
