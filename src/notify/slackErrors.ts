/**
 * Slack's answers as `SlackPostError`s, written once for both senders: each sender only reads
 * its client's error into a `SlackRefusal` (Slack answered) or hands over the request failure
 * (no answer), and the kind, code and wait are decided here.
 */
import { SlackPostError, type SlackFailureKind } from './slackSender.js';

/** The one code of a rate-limited post, whichever client saw it (the Web API's own spelling). */
export const RATE_LIMITED = 'ratelimited';

/** The wait after a 429 that named none. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/** Slack platform errors meaning "not this channel": the alert falls back to SLACK_CHANNEL. */
const CHANNEL_UNAVAILABLE_ERRORS: ReadonlySet<string> = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived']);

/** Errors meaning the credentials are not valid. */
const FATAL_ERRORS: ReadonlySet<string> = new Set([
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
const TRANSIENT_ERRORS: ReadonlySet<string> = new Set([RATE_LIMITED, 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Slack's answers spell "rate limited" two ways; we report one. */
function slackCode(code: string): string {
  return code === 'rate_limited' ? RATE_LIMITED : code;
}

/** The kind of a failure with this Slack error code (a platform error or a webhook's body). */
function classifySlackError(code: string): SlackFailureKind {
  if (CHANNEL_UNAVAILABLE_ERRORS.has(code)) return 'channel-unavailable';
  if (FATAL_ERRORS.has(code)) return 'fatal';
  if (TRANSIENT_ERRORS.has(code)) return 'retryable';
  return 'permanent';
}

/** Slack answered, and did not take the post. */
export interface SlackRefusal {
  /** The HTTP status: 200 for a Web API platform error (`ok: false`). */
  status: number;
  /** Slack's error code, when the answer gave one. */
  error?: string | undefined;
  /** The wait a 429 asked for, in milliseconds. */
  retryAfterMs?: number | undefined;
}

/**
 * 429 waits what it asked for; 5xx and 408 are retried; otherwise Slack's code (or `http_<status>`)
 * decides, except that a code Slack calls transient is only trusted in a 200 answer: an error
 * status says this very request was refused.
 */
export function refusalError({ status, error, retryAfterMs }: SlackRefusal): SlackPostError {
  if (status === 429) return new SlackPostError('retryable', RATE_LIMITED, Math.max(0, retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS));
  if (status >= 500 || status === 408) return new SlackPostError('retryable', `http_${status}`);
  const code = slackCode(error ?? `http_${status}`);
  const kind = classifySlackError(code);
  return new SlackPostError(kind === 'retryable' && status !== 200 ? 'permanent' : kind, code);
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

/** A failure this code did not foresee: retried, under a code that says so. */
export function asSlackPostError(error: unknown): SlackPostError {
  return error instanceof SlackPostError ? error : new SlackPostError('retryable', 'unexpected_error');
}
