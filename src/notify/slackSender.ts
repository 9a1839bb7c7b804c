/**
 * What the alert delivery needs from Slack: post one message, once. The members of this
 * family are the bot (webApiSender.ts) and the webhook (webhookSender.ts), built by
 * `createSlackSender`; retrying is done by `postWithRetry` (retry.ts), the same way for both.
 * Errors are `SlackPostError`s (slackErrors.ts maps the clients' failures to them) that carry
 * a Slack error code and never a URL or token.
 */
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

/** What every sender is built with, beside its credentials. */
export interface SlackSenderOptions {
  /** Per-request timeout (default `DEFAULT_SLACK_TIMEOUT_MS`). */
  timeoutMs?: number;
}

export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

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
