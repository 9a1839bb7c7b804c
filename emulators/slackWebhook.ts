/**
 * Emulates a Slack incoming webhook (`https://hooks.slack.com/services/T…/B…/secret`) over
 * plain http: `POST` a JSON body (or form-encoded `payload=<json>`, which Slack also accepts)
 * and get `200 ok` (text/html, like Slack). Errors mirror Slack's plain-text answers:
 * malformed JSON -> 400 `invalid_payload`, no `text`/`blocks`/`attachments` -> 400 `no_text`,
 * a wrong secret in the path -> 403 `invalid_token`, another path -> 404 `no_service`.
 * `failNext(count, status, headers)` makes the next `count` posts fail (e.g. 429 with
 * `Retry-After`, or 500), without recording them as messages. `acceptWithoutAnswer(count,
 * answerAfterMs?)` records the next `count` messages and answers them only after
 * `answerAfterMs`, or never (until close; logged with status 0): Slack took the post, the
 * answer was lost or slow. Request kind: `webhook`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeldAnswers } from './heldAnswers.js';
import { logRequest, parseRequestUrl, readBody, sendText, startHttpServer } from './httpUtil.js';
import type { RequestLogEntry } from './httpUtil.js';

export interface SlackWebhookOptions {
  latencyMs?: number;
}

export interface SlackWebhookReceiver {
  /** The webhook URL to post to (`http://127.0.0.1:PORT/services/T…/B…/<secret>`). */
  url: string;
  /** Accepted JSON bodies, in arrival order. */
  messages: Array<Record<string, unknown>>;
  /** When each message of `messages` arrived (Date.now(), same index): the demo and the benchmark time alerts with it. */
  receivedAt: number[];
  requests: RequestLogEntry[];
  /** The next `count` posts get `status` (with `headers`, e.g. `{ 'Retry-After': '1' }`). */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  acceptWithoutAnswer(count: number, answerAfterMs?: number): void;
  close(): Promise<void>;
}

const TEAM = 'T0EMULATOR';
const BOT = 'B0EMULATOR';

function failureText(status: number): string {
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'no_service';
  if (status === 403) return 'invalid_token';
  if (status === 410) return 'channel_is_archived';
  if (status >= 500) return 'internal_error';
  return 'invalid_payload';
}

interface WebhookState {
  hookPath: string;
  messages: Array<Record<string, unknown>>;
  receivedAt: number[];
  requests: RequestLogEntry[];
  failures: Array<{ status: number; headers: Record<string, string> }>;
  held: HeldAnswers;
}

/** The posted message (JSON, or form-encoded `payload=<json>`); undefined when it is not a JSON object. */
function parseMessage(contentType: string | undefined, raw: string): Record<string, unknown> | undefined {
  const json = contentType === 'application/x-www-form-urlencoded' ? (new URLSearchParams(raw).get('payload') ?? '') : raw;
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return undefined;
  }
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

function hasContent(message: Record<string, unknown>): boolean {
  return ['text', 'blocks', 'attachments'].some((k) => {
    const v = message[k];
    return typeof v === 'string' ? v.length > 0 : Array.isArray(v) && v.length > 0;
  });
}

async function handleWebhookPost(state: WebhookState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path } = parseRequestUrl(req);
  const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
    logRequest(state.requests, req, 'webhook', status);
    sendText(res, status, text, { 'content-type': 'text/html', ...headers });
  };
  const raw = await readBody(req);
  if (path !== state.hookPath) {
    const ours = path.startsWith(`/services/${TEAM}/${BOT}/`);
    return answer(ours ? 403 : 404, ours ? 'invalid_token' : 'no_service');
  }
  if (req.method !== 'POST') return answer(405, 'invalid_method');
  const failure = state.failures.shift();
  if (failure) return answer(failure.status, failureText(failure.status), failure.headers);
  const message = parseMessage((req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase(), raw);
  if (!message) return answer(400, 'invalid_payload');
  if (!hasContent(message)) return answer(400, 'no_text');
  state.messages.push(message);
  state.receivedAt.push(Date.now());
  state.held.answer(res, () => answer(200, 'ok'), () => logRequest(state.requests, req, 'webhook', 0));
}

export async function startSlackWebhookReceiver(options: SlackWebhookOptions = {}): Promise<SlackWebhookReceiver> {
  const secret = randomBytes(12).toString('base64url');
  const state: WebhookState = { hookPath: `/services/${TEAM}/${BOT}/${secret}`, messages: [], receivedAt: [], requests: [], failures: [], held: new HeldAnswers() };
  const started = await startHttpServer((req, res) => handleWebhookPost(state, req, res), options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  return {
    url: `${started.url}${state.hookPath}`,
    messages: state.messages,
    receivedAt: state.receivedAt,
    requests: state.requests,
    failNext(count, status, headers = {}) {
      for (let i = 0; i < count; i++) state.failures.push({ status, headers });
    },
    acceptWithoutAnswer: (count, answerAfterMs) => state.held.holdNext(count, answerAfterMs),
    close: started.close,
  };
}
