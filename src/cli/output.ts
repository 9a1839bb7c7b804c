/** The CLI's report on stdout: the table (coloured on a terminal), the JSON report, or the status page of the scan (HTML). */
import { systemClock } from '../model/clock.js';
import type { ScanReport } from '../model/finding.js';
import { renderStatusPage } from '../status/statusPage.js';
import type { StatusStore } from '../status/statusStore.js';
import { statusView } from '../status/statusView.js';
import { renderReportTable } from './reportTable.js';

export type OutputFormat = 'table' | 'json' | 'html';

export interface ReportOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Prints the report; `statuses` holds the clusters' statuses the run stored (the page's content). */
export async function printReport(report: ScanReport, format: OutputFormat, stdout: ReportOutput, statuses: StatusStore): Promise<void> {
  if (format === 'json') {
    stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (format === 'html') {
    const view = statusView(await statuses.list(), Date.parse(report.finishedAt) || systemClock());
    stdout.write(renderStatusPage(view, { source: 'acr-aks-sync scan, on the command line' }));
  } else {
    stdout.write(`${renderReportTable(report, Boolean(stdout.isTTY))}\n`);
  }
}
