/**
 * The `status` HTTP function (function key, GET, `/api/status`): the status page, rendered from
 * what the scans stored (each cluster's latest status, in STATE_TABLE); `?format=json` answers
 * the same as JSON. A page view never scans and changes nothing.
 *
 * The page runs no script and loads nothing, and its Content-Security-Policy says so: only its
 * own inline stylesheet (by hash) may apply, so even a value that escaped the escaping could not
 * run or fetch anything. It is not cached, and no referrer (which would carry the function key)
 * leaves it.
 */
import { createHash } from 'node:crypto';
import azureFunctions from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { systemClock } from '../model/clock.js';
import { createStatusStore } from '../status/createStatusStore.js';
import { renderStatusPage } from '../status/statusPage.js';
import { STATUS_PAGE_CSS } from '../status/statusPageStyle.js';
import { statusView } from '../status/statusView.js';
import { quoteValue } from '../util/text.js';
import { runInvocation, type Invocation, type Trigger, type WorkOutcome } from './invocation.js';

type Format = 'html' | 'json';

const STYLE_HASH = createHash('sha256').update(STATUS_PAGE_CSS, 'utf8').digest('base64');
export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
const USAGE = 'use format=html (the default) or format=json';

/** The format asked for, or what is wrong with the query (for a 400). Names in any case, as scanNow takes them. */
export function parseStatusQuery(query: URLSearchParams): Format | string {
  let format: Format = 'html';
  for (const [key, value] of query.entries()) {
    const name = key.toLowerCase();
    if (name === 'code') continue;
    if (name !== 'format') return `unknown query parameter ${quoteValue(key, 40)}; ${USAGE}`;
    const wanted = value.trim().toLowerCase();
    if (wanted !== 'html' && wanted !== 'json') return `format must be html or json, got ${quoteValue(value, 40)}`;
    format = wanted;
  }
  return format;
}

async function statusAnswer(format: Format, { config, logger }: Invocation): Promise<WorkOutcome<HttpResponseInit>> {
  let stored;
  try {
    stored = await createStatusStore({ kind: 'table', tableName: config.stateTable, env: process.env }).list();
  } catch (error) {
    const reason = (error as Error).message;
    logger.error('status page: the stored statuses could not be read', { reason });
    return { answer: { status: 503, jsonBody: { error: `the stored statuses could not be read: ${reason}` } } };
  }
  const view = statusView(stored, systemClock());
  if (format === 'json') return { answer: { status: 200, jsonBody: view, headers: { 'Cache-Control': 'no-store' } } };
  const body = renderStatusPage(view, { source: 'the status function, from the latest scan of each cluster' });
  return { answer: { status: 200, body, headers: { 'Content-Type': 'text/html; charset=utf-8', ...STATUS_PAGE_HEADERS } } };
}

const statusTrigger: Trigger<HttpResponseInit> = {
  configError: (error) => ({ status: 500, jsonBody: { error: 'configuration error', issues: error.issues } }),
  scanned: () => {
    throw new Error('the status function never scans');
  },
};

export async function statusHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const format = parseStatusQuery(request.query);
  if (format !== 'html' && format !== 'json') return { status: 400, jsonBody: { error: format } };
  return runInvocation(context, statusTrigger, (invocation) => statusAnswer(format, invocation));
}

azureFunctions.app.http('status', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'status',
  handler: statusHandler,
});
