/**
 * The dead man's switch (infra/modules/scanAlert.bicep) counts the `scan finished` line that the
 * handlers log after each scan. Its query is read from the Bicep syntax tree and its field patterns
 * are run on the line the real logSummary writes, so renaming the message or its fields breaks here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { logSummary } from '../../src/functions/invocation.js';
import { createLogger } from '../../src/log/logger.js';
import type { ScanReport } from '../../src/model/finding.js';
import { callArguments, named, parseBicep, stringLiteral, variables, type BicepDocument } from './bicepSyntax.js';

const FILE = 'infra/modules/scanAlert.bicep';
let query: string;

/** The summary line logSummary writes for a report with `clusters` scanned and `failed` failed. */
function summaryLine(clusters: number, failed: number, notificationsOff?: string): string {
  const lines: string[] = [];
  const report = { clusters: [], summary: { clusters, clustersFailed: failed, pods: 10, drift: 1, 'in-sync': 3 } } as unknown as ScanReport;
  logSummary(report, createLogger((_level, line) => lines.push(line), false), notificationsOff);
  const line = lines.find((l) => l.startsWith('scan finished'));
  if (!line) throw new Error(`logSummary logged no summary line: ${JSON.stringify(lines)}`);
  return line;
}

/** The query as the alert rule gets it: the string items of join([...], '\n'). */
function queryOf(doc: BicepDocument): string {
  const value = variables(doc).get('successfulScanQuery');
  const [items] = value ? callArguments(value) : [];
  if (!items) throw new Error(`${FILE}: successfulScanQuery is not join([...], ...)`);
  return named(items).map((item) => stringLiteral(item) ?? '').join('\n');
}

/** The KQL query, applied to one log line in JavaScript: the same patterns and comparisons. */
function counts(line: string): boolean {
  const prefix = /startswith "([^"]+)"/.exec(query)?.[1];
  const patterns = [...query.matchAll(/extract\(@"([^"]+)", 1, message\)/g)].map((m) => new RegExp(m[1] ?? ''));
  const excluded = /message !contains "([^"]+)"/.exec(query)?.[1];
  if (prefix === undefined || patterns.length !== 2 || excluded === undefined) throw new Error(`unexpected query shape:\n${query}`);
  const [clusters, failed] = patterns.map((p) => Number(p.exec(line)?.[1]));
  return line.startsWith(prefix) && clusters !== undefined && failed !== undefined && clusters > failed && !line.includes(excluded);
}

beforeAll(async () => {
  query = queryOf(await parseBicep(readFileSync(join(import.meta.dirname, '..', '..', FILE), 'utf8'), FILE));
});

describe("dead man's switch", () => {
  it('queries Application Insights traces for the scan finished message the code logs', () => {
    expect(query).toMatch(/^traces\n/);
    expect(summaryLine(2, 0)).toMatch(/^scan finished /);
    expect(query).toContain('startswith "scan finished "');
  });

  it('counts a scan with at least one cluster scanned and notifications on, and nothing else', () => {
    expect(counts(summaryLine(3, 0))).toBe(true);
    expect(counts(summaryLine(3, 2))).toBe(true);
    expect(counts(summaryLine(3, 3))).toBe(false);
    expect(counts(summaryLine(0, 0))).toBe(false);
    expect(counts(summaryLine(3, 0, 'SLACK_BOT_TOKEN is a Key Vault reference ...'))).toBe(false);
    expect(counts('cluster scanned cluster=a ok=true')).toBe(false);
  });

  it('fires on no such line in the window, with an optional e-mail action group', () => {
    const text = readFileSync(join(import.meta.dirname, '..', '..', FILE), 'utf8');
    expect(text).toMatch(/timeAggregation: 'Count'\n\s+operator: 'LessThan'\n\s+threshold: 1\n/);
    expect(text).toMatch(/windowSize: window\n/);
    expect(text).toMatch(/resource actionGroup 'Microsoft\.Insights\/actionGroups@[^']+' = if \(!empty\(alertEmail\)\)/);
  });
});
