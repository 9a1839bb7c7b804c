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

export async function startSlackApi(options: SlackApiOptions): Promise<SlackApiEmulator> {
  const channels = options.channels.map((c) => ({ ...c, id: c.id ?? channelId(), member: c.member ?? true, archived: c.archived ?? false }));
  const posts: SlackPost[] = [];
  const requests: RequestLogEntry[] = [];
  const failures: Array<{ status: number; retryAfter?: number }> = [];
  /** Accepted posts answered late (ms) or never (undefined). */
  const unanswered: Array<{ answerAfterMs: number | undefined }> = [];
  let lastTsMicros = 0;

  const nextTs = (): string => {
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 1);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };

  const findChannel = (ref: string) => {
    const byName = ref.startsWith('#') ? ref.slice(1) : ref;
    return channels.find((c) => c.id === ref) ?? channels.find((c) => c.name === byName);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const { path } = parseRequestUrl(req);
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
    const kind = method === 'chat.postMessage' || method === 'auth.test' ? method : 'unknown';
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      logRequest(requests, req, kind, status);
      sendJson(res, status, body, headers);
    };
    const raw = await readBody(req);
    if (kind === 'unknown') return reply(404, { ok: false, error: 'unknown_method', req_method: method });

    const failure = failures.shift();
    if (failure) {
      if (failure.retryAfter !== undefined) return reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(failure.retryAfter) });
      return reply(failure.status, { ok: false, error: 'internal_error' });
    }

    // Parse the arguments: form-encoded (the SDK's choice) or JSON.
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    let args: Record<string, unknown> = {};
    if (type === 'application/json') {
      try {
        const parsed: unknown = raw ? JSON.parse(raw) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return reply(200, { ok: false, error: 'invalid_json' });
        args = parsed as Record<string, unknown>;
      } catch {
        return reply(200, { ok: false, error: 'invalid_json' });
      }
    } else {
      args = Object.fromEntries(new URLSearchParams(raw));
    }

    const authz = req.headers.authorization;
    const token = authz && /^bearer /i.test(authz) ? authz.slice(7).trim() : type === 'application/json' ? undefined : (args.token as string | undefined);
    if (!token) return reply(200, { ok: false, error: 'not_authed' });
    if (token !== options.botToken) return reply(200, { ok: false, error: 'invalid_auth' });

    if (kind === 'auth.test') {
      return reply(200, { ok: true, url: `https://emulator.slack.com/`, team: 'Emulator', user: 'acr-aks-sync', team_id: TEAM_ID, user_id: BOT_USER, bot_id: BOT_ID, is_enterprise_install: false });
    }

    const channelRef = typeof args.channel === 'string' ? args.channel.trim() : '';
    const channel = channelRef ? findChannel(channelRef) : undefined;
    if (!channel) return reply(200, { ok: false, error: 'channel_not_found' });
    if (channel.archived) return reply(200, { ok: false, error: 'is_archived' });
    if (!channel.member) return reply(200, { ok: false, error: 'not_in_channel' });

    let blocks: unknown[] | undefined;
    if (args.blocks !== undefined && args.blocks !== '') {
      let value = args.blocks;
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value);
        } catch {
          return reply(200, { ok: false, error: 'invalid_blocks' });
        }
      }
      if (!Array.isArray(value) || value.some((b) => typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string')) {
        return reply(200, { ok: false, error: 'invalid_blocks' });
      }
      blocks = value;
    }
    const text = typeof args.text === 'string' ? args.text : '';
    const hasAttachments = args.attachments !== undefined && args.attachments !== '' && args.attachments !== '[]';
    if (!text && !blocks?.length && !hasAttachments) return reply(200, { ok: false, error: 'no_text' });

    const ts = nextTs();
    const post: SlackPost = { channel: channel.name, channelId: channel.id, text, ts };
    if (blocks) post.blocks = blocks;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
    const threadTs = str(args.thread_ts);
    const username = str(args.username);
    const iconEmoji = str(args.icon_emoji);
    if (threadTs) post.thread_ts = threadTs;
    if (username) post.username = username;
    if (iconEmoji) post.icon_emoji = iconEmoji;
    posts.push(post);

    const message: Record<string, unknown> = { type: 'message', text, user: BOT_USER, bot_id: BOT_ID, team: TEAM_ID, ts };
    if (blocks) message.blocks = blocks;
    if (threadTs) message.thread_ts = threadTs;
    if (username) message.username = username;
    const late = unanswered.shift();
    if (late) {
      if (late.answerAfterMs === undefined) return logRequest(requests, req, kind, 0);
      setTimeout(() => {
        if (!res.destroyed) reply(200, { ok: true, channel: channel.id, ts, message });
      }, late.answerAfterMs);
      return;
    }
    return reply(200, { ok: true, channel: channel.id, ts, message });
  };

  const started = await startHttpServer(handler, options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  return {
    url: started.url,
    apiUrl: `${started.url}/api/`,
    posts,
    requests,
    channelIds: Object.fromEntries(channels.map((c) => [c.name, c.id])),
    rateLimitNext(count, retryAfterSeconds) {
      for (let i = 0; i < count; i++) failures.push({ status: 429, retryAfter: retryAfterSeconds });
    },
    failNext(count, httpStatus) {
      for (let i = 0; i < count; i++) failures.push({ status: httpStatus });
    },
    acceptWithoutAnswer(count, answerAfterMs) {
      for (let i = 0; i < count; i++) unanswered.push({ answerAfterMs });
    },
    close: started.close,
  };
}
