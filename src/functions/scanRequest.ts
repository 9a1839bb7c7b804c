/**
 * What a scanNow request asks for: the clusters to scan and whether it is a dry run, from the
 * query (`?cluster=a&cluster=b&dryRun=true`) and an optional JSON body
 * (`{"clusters": ["a"], "dryRun": true}`).
 *
 * Query parameter names are matched case-insensitively (`?dryrun=true`, `?Cluster=a`), as
 * users type them and as the host's own `code` check does; an unknown name answers 400 so a
 * typo is not silently ignored. The host hands a repeated key to the worker as one value
 * joined with commas (`?cluster=a&cluster=b` arrives as `a,b`), so values are split on commas.
 */
import type { HttpRequest } from '@azure/functions';
import { quoteValue } from '../util/text.js';

export interface ScanRequest {
  clusterNames: string[];
  dryRun: boolean;
}

type QueryParameter = 'cluster' | 'dryRun' | 'code';

/** Each accepted query parameter by its lower-cased name; `code` is the function key. */
const QUERY_PARAMETERS: ReadonlyMap<string, QueryParameter> = new Map([
  ['cluster', 'cluster'],
  ['dryrun', 'dryRun'],
  ['code', 'code'],
]);
const USAGE = 'use cluster= (repeatable) and dryRun=true|false';
const BOOLEAN_VALUES: Readonly<Record<string, boolean>> = { true: true, '1': true, yes: true, false: false, '0': false, no: false, '': true };

/** The query's values by parameter, each split on the commas the host joins repeated keys with. */
function queryValues(query: URLSearchParams): Map<QueryParameter, string[]> | string {
  const values = new Map<QueryParameter, string[]>();
  for (const [key, value] of query.entries()) {
    const name = QUERY_PARAMETERS.get(key.toLowerCase());
    if (name === undefined) return `unknown query parameter ${quoteValue(key, 40)}; ${USAGE}`;
    values.set(name, [...(values.get(name) ?? []), ...value.split(',').map((v) => v.trim())]);
  }
  return values;
}

function parseDryRun(texts: readonly string[]): boolean | string {
  const parsed = new Set<boolean>();
  for (const text of texts) {
    const value = BOOLEAN_VALUES[text.toLowerCase()];
    if (value === undefined) return `dryRun must be true or false, got ${quoteValue(text, 40)}`;
    parsed.add(value);
  }
  if (parsed.size > 1) return 'dryRun is given more than once, with different values; give it once';
  return parsed.has(true);
}

function applyBody(body: unknown, request: ScanRequest): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the request body must be a JSON object like {"clusters": ["prod-aks"], "dryRun": true}';
  const b = body as { clusters?: unknown; dryRun?: unknown };
  for (const key of Object.keys(b)) if (key !== 'clusters' && key !== 'dryRun') return `unknown body field ${quoteValue(key, 40)}; use clusters and dryRun`;
  if (b.clusters !== undefined) {
    if (!Array.isArray(b.clusters) || !b.clusters.every((c) => typeof c === 'string')) return '"clusters" must be an array of cluster names';
    request.clusterNames.push(...(b.clusters as string[]));
  }
  if (b.dryRun !== undefined) {
    if (typeof b.dryRun !== 'boolean') return '"dryRun" must be true or false';
    request.dryRun = b.dryRun;
  }
  return undefined;
}

/** The request, or what is wrong with it (for a 400). `body` is the parsed JSON body, if any. */
export function parseScanRequest(request: HttpRequest, body: unknown): ScanRequest | string {
  const values = queryValues(request.query);
  if (typeof values === 'string') return values;
  const dryRun = values.has('dryRun') ? parseDryRun(values.get('dryRun') ?? []) : false;
  if (typeof dryRun === 'string') return dryRun;
  const parsed: ScanRequest = { clusterNames: (values.get('cluster') ?? []).filter(Boolean), dryRun };
  const problem = body === undefined ? undefined : applyBody(body, parsed);
  return problem ?? parsed;
}

/** The request read from its query and JSON body, or what is wrong with it (for a 400). */
export async function readScanRequest(request: HttpRequest): Promise<ScanRequest | string> {
  let body: unknown;
  if (request.method === 'POST') {
    const text = await request.text();
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        return 'the request body is not valid JSON';
      }
    }
  }
  return parseScanRequest(request, body);
}
