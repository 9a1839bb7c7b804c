/**
 * What the alert delivery needs from Slack: post one message, once. Retrying is done by
 * `postWithRetry` (retry.ts), the same way for the bot and the webhook. Errors are
 * `SlackPostError`s that carry a Slack error code and never a URL or token.
 */
import { systemClock } from '../model/clock.js';
import type { SlackBlock } from './slackBlocks.js';

export interface SlackMessage {
  /** Channel name (with or without `#`) or ID. */
  channel: string;
  /** Plain-text fallback (notifications, clients without Block Kit). */
  text: string;
  blocks?: SlackBlock[];
  /** Reply in this thread (bot only). */
  threadTs?: string;
}

export interface PostReceipt {
  /** Channel ID the message landed in (bot only). */
  channelId?: string;
  /** The message's `ts` (bot only): what replies thread on. */
  ts?: string;
}

export interface PostOptions {
  /** This attempt's timeout instead of the sender's own (a retry after a timeout waits longer). */
  timeoutMs?: number;
}

export interface SlackSender {
  /** For logs: `bot` (chat.postMessage) or `webhook`. */
  readonly kind: 'bot' | 'webhook';
  /** Whether messages get a `ts` that replies can thread on. */
  readonly threads: boolean;
  /** One attempt; throws `SlackPostError`. */
  post(message: SlackMessage, options?: PostOptions): Promise<PostReceipt>;
}

/**
 * - `retryable`: timeouts, network errors, HTTP 5xx, 429 (`retryAfterMs` from `Retry-After`);
 * - `channel-unavailable`: the channel does not exist, is archived, or the bot may not post there;
 * - `fatal`: the token or webhook is not valid: nothing else will get through either;
 * - `permanent`: this message will not be accepted as it is.
 */
export type SlackFailureKind = 'retryable' | 'channel-unavailable' | 'fatal' | 'permanent';

export class SlackPostError extends Error {
  readonly kind: SlackFailureKind;
  /** Slack's error code (`channel_not_found`, `ratelimited`, `http_503`, `timeout`, ...). */
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  /**
   * The request was sent and no answer came (a timeout, a connection lost mid-way): Slack may
   * have accepted it, so posting again may post a copy.
   */
  readonly mayHaveLanded: boolean;

  constructor(kind: SlackFailureKind, code: string, retryAfterMs?: number, mayHaveLanded = false) {
    super(`Slack post failed: ${code}${retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : ''}`);
    this.name = 'SlackPostError';
    this.kind = kind;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
    this.mayHaveLanded = mayHaveLanded;
  }
}

/** Failures to reach the server at all: the request was never sent. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * A request that got no HTTP answer (both Slack clients send with fetch): a timeout may have
 * landed, a connection that could not be opened cannot have; anything else (a connection
 * lost after sending) is treated as possibly landed.
 */
export function requestFailure(original: { name?: string; cause?: { code?: unknown } } | undefined): SlackPostError {
  if (original?.name === 'TimeoutError' || original?.name === 'AbortError') return new SlackPostError('retryable', 'timeout', undefined, true);
  const code = original?.cause?.code;
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return new SlackPostError('retryable', `connection_failed_${code.toLowerCase()}`);
  return new SlackPostError('retryable', 'request_error', undefined, true);
}

/** Slack platform errors meaning "not this channel": the alert falls back to SLACK_CHANNEL. */
export const CHANNEL_UNAVAILABLE_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'channel_is_archived',
]);

/** Errors meaning the credentials are not valid. */
export const FATAL_ERRORS: ReadonlySet<string> = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'invalid_token',
  'no_service',
  'no_active_hooks',
]);

/** Errors Slack itself says are transient. */
export const TRANSIENT_ERRORS: ReadonlySet<string> = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** The kind of a failure with this Slack error code (a platform error or a webhook's body). */
export function classifySlackError(code: string): SlackFailureKind {
  if (CHANNEL_UNAVAILABLE_ERRORS.has(code)) return 'channel-unavailable';
  if (FATAL_ERRORS.has(code)) return 'fatal';
  if (TRANSIENT_ERRORS.has(code)) return 'retryable';
  return 'permanent';
}

/** Retry-After in milliseconds (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number = systemClock()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
