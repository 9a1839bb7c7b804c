/**
 * The CLI's progress line: on a terminal, while a scan runs, stderr shows the clusters done of
 * the total, the pods listed, the registry lookups answered and the throttled answers waited out,
 * rewritten in place (carriage return, erase line) at most every REDRAW_MS, and erased before
 * anything else is written (log lines go through `log`, which redraws it after them) and before
 * the report. Nothing is drawn when stderr is not a terminal or the report is JSON or HTML (the
 * CLI then makes none).
 */
import type { ClusterReport } from '../model/finding.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { ScanObserver } from '../model/scanObserver.js';

export interface ProgressStream {
  write(text: string): unknown;
  /** The terminal's width; the line is cut to fit, since a wrapped line cannot be erased in place. */
  columns?: number;
}

const ERASE_LINE = '\r\x1b[2K';
const REDRAW_MS = 100;

export class ProgressLine implements ScanObserver {
  private clusters = { done: 0, total: 0, failed: 0 };
  private readonly podsByCluster = new Map<string, number>();
  private lookups = 0;
  private throttled = 0;
  private shown = false;
  private lastDrawAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: Clock = systemClock,
  ) {}

  runStarted(clusters: number): void {
    this.clusters.total = clusters;
    this.draw(true);
  }

  podsListed(cluster: string, podsSoFar: number): void {
    this.podsByCluster.set(cluster, podsSoFar);
    this.draw();
  }

  clusterScanned(report: ClusterReport): void {
    this.clusters.done += 1;
    if (!report.ok) this.clusters.failed += 1;
    this.draw(true);
  }

  registryLookupDone(): void {
    this.lookups += 1;
    this.draw();
  }

  registryThrottled(): void {
    this.throttled += 1;
    this.draw();
  }

  /** Writes a whole line (a log line) above the progress line. */
  log(line: string): void {
    this.clear();
    this.stream.write(line);
    this.draw(true);
  }

  /** Erases the progress line for good: before the report. */
  finish(): void {
    this.clear();
    this.lastDrawAt = Number.POSITIVE_INFINITY;
  }

  /** The line's text. */
  text(): string {
    let pods = 0;
    for (const n of this.podsByCluster.values()) pods += n;
    const failed = this.clusters.failed ? ` (${this.clusters.failed} failed)` : '';
    return `scanning: clusters ${this.clusters.done}/${this.clusters.total}${failed}, pods listed ${pods}, registry lookups ${this.lookups}, throttled waits ${this.throttled}`;
  }

  private clear(): void {
    if (!this.shown) return;
    this.stream.write(ERASE_LINE);
    this.shown = false;
  }

  private draw(force = false): void {
    const at = this.now();
    if (this.lastDrawAt === Number.POSITIVE_INFINITY || (!force && at - this.lastDrawAt < REDRAW_MS)) return;
    this.lastDrawAt = at;
    const width = this.stream.columns && this.stream.columns > 1 ? this.stream.columns - 1 : undefined;
    const text = width === undefined ? this.text() : this.text().slice(0, width);
    this.stream.write(`${ERASE_LINE}${text}`);
    this.shown = true;
  }
}
