/**
 * Emulates the Slack Web API method `chat.postMessage` (plus `auth.test`) over plain http,
 * reachable by `new WebClient(token, { slackApiUrl: handle.apiUrl })`.
 *
 * Like Slack, answers are HTTP 200 with `{ ok: false, error }` for API errors:
 *   missing token -> not_authed; wrong token -> invalid_auth; unknown channel ->
 *   channel_not_found; archived -> is_archived; `member: false` -> not_in_channel;
 *   no text/blocks/attachments -> no_text; unparseable blocks -> invalid_blocks.
 * Bodies may be form-encoded (what @slack/web-api sends; `blocks` arrives as a JSON string)
 * or JSON. Channels can be named `#name`, `name` or by id.
 *
 * Channel membership: real Slack lets a bot post to a public channel it has not joined when
 * the app has the `chat:write.public` scope. This emulator models a bot WITHOUT that scope for
 * channels marked `member: false`, so such posts fail with `not_in_channel` (set `member`
 * to true, the default, for channels the bot may post to).
 *
 * `rateLimitNext(count, retryAfterSeconds)` answers the next `count` calls with HTTP 429 and
 * `Retry-After`; `failNext(count, httpStatus)` with that HTTP status. `acceptWithoutAnswer(count,
 * answerAfterMs?)` accepts the next `count` posts (they are in `posts`) and answers them only
 * after `answerAfterMs`, or never (until close): what a client sees when Slack took a post
 * and the answer was lost or slow. Request kinds: `chat.postMessage`, `auth.test`, `unknown`.
 * A post left without an answer is logged with status 0 when it is accepted.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeldAnswers } from './heldAnswers.js';
import { logRequest, parseRequestUrl, readBody, sendJson, startHttpServer } from './httpUtil.js';
import type { RequestLogEntry } from './httpUtil.js';

export interface SlackChannelSpec {
  name: string;
  id?: string;
  /** Whether the bot is in the channel (default true). */
  member?: boolean;
  archived?: boolean;
}

export interface SlackApiOptions {
  botToken: string;
  channels: SlackChannelSpec[];
  latencyMs?: number;
}

export interface SlackPost {
  /** Resolved channel name (without `#`). */
  channel: string;
  channelId: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  ts: string;
  username?: string;
  icon_emoji?: string;
}

export interface SlackApiEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `http://127.0.0.1:PORT/api/` (trailing slash), for `slackApiUrl`. */
  apiUrl: string;
  posts: SlackPost[];
  requests: RequestLogEntry[];
  /** Id of each channel by name. */
  channelIds: Record<string, string>;
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  failNext(count: number, httpStatus: number): void;
  acceptWithoutAnswer(count: number, answerAfterMs?: number): void;
  close(): Promise<void>;
}

const TEAM_ID = 'T0EMULATOR';
const BOT_USER = 'U0EMULBOT';
const BOT_ID = 'B0EMULBOT';

function channelId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(10);
  let id = 'C';
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

interface Channel {
  name: string;
  id: string;
  member: boolean;
  archived: boolean;
}

interface SlackState {
  botToken: string;
  channels: Channel[];
  posts: SlackPost[];
  requests: RequestLogEntry[];
  failures: Array<{ status: number; retryAfter?: number }>;
  held: HeldAnswers;
  /** Message timestamps are unique and increasing, like Slack's. */
  nextTs(): string;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

function tsClock(): () => string {
  let lastTsMicros = 0;
  return () => {
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 1);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };
}

function findChannel(state: SlackState, ref: string): Channel | undefined {
  const byName = ref.startsWith('#') ? ref.slice(1) : ref;
  return state.channels.find((c) => c.id === ref) ?? state.channels.find((c) => c.name === byName);
}

/** The arguments: form-encoded (the SDK's choice) or JSON; undefined for JSON that is not an object. */
function parseArgs(contentType: string | undefined, raw: string): Record<string, unknown> | undefined {
  if (contentType !== 'application/json') return Object.fromEntries(new URLSearchParams(raw));
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The blocks argument (a JSON string when form-encoded); 'invalid' when they are not a list of typed blocks. */
function parseBlocks(raw: unknown): unknown[] | undefined | 'invalid' {
  if (raw === undefined || raw === '') return undefined;
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return 'invalid';
    }
  }
  if (!Array.isArray(value) || value.some((b) => typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string')) return 'invalid';
  return value;
}

const optionalString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

async function handleSlackRequest(state: SlackState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path } = parseRequestUrl(req);
  const method = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
  const kind = method === 'chat.postMessage' || method === 'auth.test' ? method : 'unknown';
  const reply: Reply = (status, body, headers = {}) => {
    logRequest(state.requests, req, kind, status);
    sendJson(res, status, body, headers);
  };
  const raw = await readBody(req);
  if (kind === 'unknown') return reply(404, { ok: false, error: 'unknown_method', req_method: method });
  const failure = state.failures.shift();
  if (failure) {
    if (failure.retryAfter !== undefined) return reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(failure.retryAfter) });
    return reply(failure.status, { ok: false, error: 'internal_error' });
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const args = parseArgs(type, raw);
  if (!args) return reply(200, { ok: false, error: 'invalid_json' });
  const authz = req.headers.authorization;
  const token = authz && /^bearer /i.test(authz) ? authz.slice(7).trim() : type === 'application/json' ? undefined : (args.token as string | undefined);
  if (!token) return reply(200, { ok: false, error: 'not_authed' });
  if (token !== state.botToken) return reply(200, { ok: false, error: 'invalid_auth' });
  if (kind === 'auth.test') {
    return reply(200, { ok: true, url: `https://emulator.slack.com/`, team: 'Emulator', user: 'acr-aks-sync', team_id: TEAM_ID, user_id: BOT_USER, bot_id: BOT_ID, is_enterprise_install: false });
  }
  postMessage(state, args, reply, res, () => logRequest(state.requests, req, kind, 0));
}

function postMessage(state: SlackState, args: Record<string, unknown>, reply: Reply, res: ServerResponse, logUnanswered: () => void): void {
  const channelRef = typeof args.channel === 'string' ? args.channel.trim() : '';
  const channel = channelRef ? findChannel(state, channelRef) : undefined;
  if (!channel) return reply(200, { ok: false, error: 'channel_not_found' });
  if (channel.archived) return reply(200, { ok: false, error: 'is_archived' });
  if (!channel.member) return reply(200, { ok: false, error: 'not_in_channel' });
  const blocks = parseBlocks(args.blocks);
  if (blocks === 'invalid') return reply(200, { ok: false, error: 'invalid_blocks' });
  const text = typeof args.text === 'string' ? args.text : '';
  const hasAttachments = args.attachments !== undefined && args.attachments !== '' && args.attachments !== '[]';
  if (!text && !blocks?.length && !hasAttachments) return reply(200, { ok: false, error: 'no_text' });

  const ts = state.nextTs();
  const threadTs = optionalString(args.thread_ts);
  const username = optionalString(args.username);
  const iconEmoji = optionalString(args.icon_emoji);
  state.posts.push({
    channel: channel.name,
    channelId: channel.id,
    text,
    ts,
    ...(blocks ? { blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(username ? { username } : {}),
    ...(iconEmoji ? { icon_emoji: iconEmoji } : {}),
  });
  const message: Record<string, unknown> = { type: 'message', text, user: BOT_USER, bot_id: BOT_ID, team: TEAM_ID, ts };
  if (blocks) message.blocks = blocks;
  if (threadTs) message.thread_ts = threadTs;
  if (username) message.username = username;
  state.held.answer(res, () => reply(200, { ok: true, channel: channel.id, ts, message }), logUnanswered);
}

export async function startSlackApi(options: SlackApiOptions): Promise<SlackApiEmulator> {
  const state: SlackState = {
    botToken: options.botToken,
    channels: options.channels.map((c) => ({ ...c, id: c.id ?? channelId(), member: c.member ?? true, archived: c.archived ?? false })),
    posts: [],
    requests: [],
    failures: [],
    held: new HeldAnswers(),
    nextTs: tsClock(),
  };
  const started = await startHttpServer((req, res) => handleSlackRequest(state, req, res), options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  return {
    url: started.url,
    apiUrl: `${started.url}/api/`,
    posts: state.posts,
    requests: state.requests,
    channelIds: Object.fromEntries(state.channels.map((c) => [c.name, c.id])),
    rateLimitNext(count, retryAfterSeconds) {
      for (let i = 0; i < count; i++) state.failures.push({ status: 429, retryAfter: retryAfterSeconds });
    },
    failNext(count, httpStatus) {
      for (let i = 0; i < count; i++) state.failures.push({ status: httpStatus });
    },
    acceptWithoutAnswer: (count, answerAfterMs) => state.held.holdNext(count, answerAfterMs),
    close: started.close,
  };
}
