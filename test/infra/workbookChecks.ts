/**
 * The checks of the workbook (infra/workbook.json) against what the code emits: the metric names
 * and dimensions of src/metrics/metricNames.ts, and the log lines of src/ (their messages and
 * fields, read from the logger calls' syntax). Each problem is one line naming the query.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export interface WorkbookItem {
  type: number;
  name?: string;
  content?: { query?: string; title?: string; visualization?: string; resourceType?: string; items?: WorkbookItem[] };
}

export interface Workbook {
  version: string;
  items: WorkbookItem[];
}

export interface EmittedNames {
  /** Metric name -> its dimensions. */
  metrics: ReadonlyMap<string, readonly string[]>;
  /** Log message -> the fields its logger calls pass. */
  logLines: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface QueryItem {
  name: string;
  title: string;
  query: string;
  visualization: string;
  resourceType: string;
}

/** Every query item, groups included. */
export function queryItems(items: readonly WorkbookItem[]): QueryItem[] {
  return items.flatMap((item): QueryItem[] => {
    if (item.type === 12) return queryItems(item.content?.items ?? []);
    if (item.type !== 3) return [];
    const c = item.content ?? {};
    return [{ name: item.name ?? '(unnamed)', title: c.title ?? '', query: c.query ?? '', visualization: c.visualization ?? '', resourceType: c.resourceType ?? '' }];
  });
}

const LOG_METHODS = new Set(['debug', 'info', 'warn', 'error']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The messages and fields of every `<logger>.<level>('message', { fields })` call in the files under `dir`. */
export function loggedLines(dir: string): Map<string, Set<string>> {
  const lines = new Map<string, Set<string>>();
  for (const path of sourceFiles(dir)) {
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && LOG_METHODS.has(node.expression.name.text)) {
        const [message, fields] = node.arguments;
        if (message && ts.isStringLiteralLike(message)) {
          const keys = lines.get(message.text) ?? new Set<string>();
          if (fields && ts.isObjectLiteralExpression(fields)) for (const p of fields.properties) if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) keys.add(p.name.text);
          lines.set(message.text, keys);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return lines;
}

/** What is wrong with one query, against the names the code emits. */
export function queryProblems(item: QueryItem, emitted: EmittedNames): string[] {
  const problems: string[] = [];
  const at = `workbook query "${item.name}" (${item.title || 'no title'})`;
  if (!item.title) problems.push(`${at}: has no title`);
  if (!['timechart', 'barchart', 'table', 'piechart', 'areachart', 'tiles'].includes(item.visualization)) problems.push(`${at}: unknown visualization "${item.visualization}"`);
  if (item.resourceType !== 'microsoft.insights/components') problems.push(`${at}: does not query the Application Insights component`);
  const table = /^\s*(\w+)/.exec(item.query)?.[1];
  const metricNames = [...item.query.matchAll(/"(acrsync\.[^"]*)"/g)].map((m) => m[1] ?? '');
  for (const name of metricNames) if (!emitted.metrics.has(name)) problems.push(`${at}: metric "${name}" is not one the code emits`);
  if (table === 'customMetrics') {
    if (metricNames.length === 0) problems.push(`${at}: reads customMetrics without naming an acrsync metric`);
    const dimensions = new Set(metricNames.flatMap((n) => emitted.metrics.get(n) ?? []));
    for (const [, dimension] of item.query.matchAll(/customDimensions\.(\w+)/g)) {
      if (!dimensions.has(dimension ?? '')) problems.push(`${at}: dimension "${dimension}" is not one of ${metricNames.join(', ')}'s (${[...dimensions].join(', ')})`);
    }
  } else if (table === 'traces') {
    const message = /message startswith "([^"]+) "/.exec(item.query)?.[1];
    const fields = message === undefined ? undefined : emitted.logLines.get(message);
    if (message === undefined) problems.push(`${at}: reads traces without a message startswith "<message> "`);
    else if (!fields) problems.push(`${at}: log message "${message}" is not one the code logs`);
    for (const [, field] of item.query.matchAll(/extract\(@"\\b(\w+)=/g)) {
      if (fields && !fields.has(field ?? '')) problems.push(`${at}: field "${field}" is not logged with "${message}" (${[...(fields ?? [])].join(', ')})`);
    }
  } else {
    problems.push(`${at}: reads "${table}", neither customMetrics nor traces`);
  }
  return problems;
}

export function workbookProblems(workbook: Workbook, emitted: EmittedNames): string[] {
  const queries = queryItems(workbook.items);
  const problems = queries.flatMap((q) => queryProblems(q, emitted));
  const charted = new Set(queries.flatMap((q) => [...q.query.matchAll(/"(acrsync\.[^"]*)"/g)].map((m) => m[1])));
  for (const name of emitted.metrics.keys()) if (!charted.has(name)) problems.push(`metric "${name}" is emitted but no workbook query shows it`);
  return problems;
}
