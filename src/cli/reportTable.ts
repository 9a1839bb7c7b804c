/**
 * The CLI's human-readable report: one row per finding, colour only on a terminal. A PATTERN
 * column appears when some finding was decided with a tag pattern other than the app's own
 * (TAG_PATTERN): it shows that pattern; the JSON report says where it was set.
 */
import type { Finding, FindingStatus, ScanReport } from '../model/finding.js';

const COLOURS: Record<FindingStatus, string> = {
  'in-sync': '\x1b[32m',
  pending: '\x1b[36m',
  drift: '\x1b[31m',
  'stale-digest': '\x1b[35m',
  'no-release': '\x1b[34m',
  untracked: '\x1b[90m',
  error: '\x1b[33m',
};
const RESET = '\x1b[0m';

function shorten(value: string | null, max: number): string {
  if (!value) return '-';
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** The finding's tag pattern when it is not TAG_PATTERN's (or the default's), else empty. */
function ownPattern(f: Finding): string {
  const pattern = f.settings?.tagPattern;
  return pattern && pattern.from !== 'TAG_PATTERN' && pattern.from !== 'default' ? pattern.value : '';
}

export function renderReportTable(report: ScanReport, colour: boolean): string {
  const patterns = report.clusters.some((c) => c.findings.some((f) => ownPattern(f) !== ''));
  const header = ['CLUSTER', 'NAMESPACE', 'WORKLOAD', 'CONTAINER', 'STATUS', 'RUNNING', 'NEWEST', ...(patterns ? ['PATTERN'] : []), 'DETAIL'];
  const rows: string[][] = [];
  const statuses: FindingStatus[] = [];
  for (const cluster of report.clusters) {
    if (!cluster.ok) {
      rows.push([cluster.name, '-', '-', '-', 'error', '-', '-', ...(patterns ? ['-'] : []), cluster.error ?? 'scan failed']);
      statuses.push('error');
      continue;
    }
    for (const f of cluster.findings) {
      const running = f.deployedTag ? `:${f.deployedTag}` : `@${shorten(f.deployedDigest, 19)}`;
      rows.push([
        cluster.name,
        f.namespace,
        `${f.workload.kind}/${f.workload.name}`,
        f.container,
        f.status,
        shorten(f.repository ? `${f.repository}${running}` : f.image, 48),
        f.latestTag ?? '-',
        ...(patterns ? [ownPattern(f)] : []),
        f.reason ?? '',
      ]);
      statuses.push(f.status);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  rows.forEach((r, i) => {
    const text = line(r);
    const status = statuses[i];
    out.push(colour && status ? `${COLOURS[status]}${text}${RESET}` : text);
  });
  const s = report.summary;
  out.push('');
  out.push(
    `${s.clusters} cluster(s), ${s.pods} running pod(s): ${s.drift} drift, ${s['stale-digest']} stale digest, ${s.pending} pending, ${s['in-sync']} in sync, ${s['no-release']} no release, ${s.untracked} untracked, ${s.error} error(s)` +
      (s.clustersFailed ? `; ${s.clustersFailed} cluster(s) could not be scanned` : ''),
  );
  return out.join('\n');
}
