/**
 * The workbook (infra/workbook.json, deployed by infra/modules/workbook.bicep): every query reads
 * a metric the code emits, by its name and its dimensions, or a log line the code writes, by its
 * message and fields; every metric the code emits has a chart. So a rename in the code breaks
 * this test instead of silently emptying a chart. Each check is also shown to fail on a broken copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/metrics/metricNames.js';
import { callArguments, calleeName, descendantsOfType, getPath, modules, parseBicep, stringLiteral, type BicepDocument } from './bicepSyntax.js';
import { loggedLines, queryItems, workbookProblems, type EmittedNames, type Workbook } from './workbookChecks.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WORKBOOK_PATH = join(ROOT, 'infra', 'workbook.json');
const workbook = JSON.parse(readFileSync(WORKBOOK_PATH, 'utf8')) as Workbook;
const emitted: EmittedNames = {
  metrics: new Map(Object.values(METRICS).map((m) => [m.name, m.dimensions])),
  logLines: loggedLines(join(ROOT, 'src')),
};

/** The workbook with `from` replaced by `to` in every query. */
function broken(from: string, to: string): Workbook {
  const copy = JSON.parse(JSON.stringify(workbook)) as Workbook;
  for (const item of copy.items) if (item.content?.query) item.content.query = item.content.query.split(from).join(to);
  return copy;
}

describe('workbook queries against the names the code emits', () => {
  it('has queries on the metrics and on the traces, for every section the README names', () => {
    const titles = queryItems(workbook.items).map((q) => q.title);
    expect(titles).toEqual(expect.arrayContaining(['Lagging workloads by cluster', 'Lagging workloads by team channel', 'Longest lag per cluster (since the newest release was pushed)', 'Last successful scan per cluster', 'Scan time per cluster (seconds)']));
    expect(workbook.version).toBe('Notebook/1.0');
  });

  it('reads only metrics, dimensions and log lines the code emits, and charts every metric', () => {
    expect(workbookProblems(workbook, emitted)).toEqual([]);
  });

  it('knows the log line it reads: the message and fields scanClusters logs for a failed cluster', () => {
    expect(emitted.logLines.get('cluster scan failed')).toEqual(new Set(['cluster', 'reason']));
  });

  it.each([
    ['a renamed metric', '"acrsync.findings"', '"acrsync.finding"', /metric "acrsync\.finding" is not one the code emits/],
    ['a renamed dimension', 'customDimensions.channel', 'customDimensions.team', /dimension "team" is not one of acrsync\.findings's/],
    ['a renamed log message', 'startswith "cluster scan failed "', 'startswith "cluster failed "', /log message "cluster failed" is not one the code logs/],
    ['a renamed log field', '\\breason=', '\\bwhy=', /field "why" is not logged with "cluster scan failed"/],
    ['a metric no chart shows', '"acrsync.detection.latency"', '"acrsync.scan.duration"', /metric "acrsync\.detection\.latency" is emitted but no workbook query shows it/],
  ])('reports %s', (_, from, to, problem) => {
    const problems = workbookProblems(broken(from, to), emitted);
    expect(problems.some((p) => problem.test(p)), problems.join('\n')).toBe(true);
  });
});

describe('workbook in Bicep', () => {
  let module: BicepDocument;
  let main: BicepDocument;
  beforeAll(async () => {
    module = await parseBicep(readFileSync(join(ROOT, 'infra', 'modules', 'workbook.bicep'), 'utf8'), 'infra/modules/workbook.bicep');
    main = await parseBicep(readFileSync(join(ROOT, 'infra', 'main.bicep'), 'utf8'), 'infra/main.bicep');
  });

  it('loads infra/workbook.json as the workbook\'s content', () => {
    const loads = descendantsOfType(module.root, 'call_expression').filter((c) => calleeName(c) === 'loadTextContent');
    expect(loads).toHaveLength(1);
    const path = stringLiteral(callArguments(loads[0]!)[0]);
    expect(path).toBe('../workbook.json');
    expect(existsSync(join(ROOT, 'infra', 'modules', dirname(path ?? ''), 'workbook.json'))).toBe(true);
  });

  it('is deployed by main.bicep on the app\'s Application Insights', () => {
    const deployed = modules(main).find((m) => m.path === 'modules/workbook.bicep');
    expect(deployed).toBeDefined();
    expect(getPath(deployed?.body, ['params', 'appInsightsId'])?.text).toBe('appInsights.id');
  });
});
