/** Slack's answers as SlackPostErrors: one mapping for the bot and the webhook. */
import { describe, expect, it } from 'vitest';
import { asSlackPostError, refusalError, requestFailure, type SlackRefusal } from '../../src/notify/slackErrors.js';
import { SlackPostError } from '../../src/notify/slackSender.js';

function mapped(refusal: SlackRefusal) {
  const { kind, code, retryAfterMs, mayHaveLanded } = refusalError(refusal);
  return { kind, code, retryAfterMs, mayHaveLanded };
}

describe('refusalError', () => {
  it('names a rate-limited post `ratelimited` and waits what it asked for, or a second', () => {
    expect(mapped({ status: 429, retryAfterMs: 3_000 })).toEqual({ kind: 'retryable', code: 'ratelimited', retryAfterMs: 3_000, mayHaveLanded: false });
    expect(mapped({ status: 429, error: 'rate_limited' })).toEqual({ kind: 'retryable', code: 'ratelimited', retryAfterMs: 1_000, mayHaveLanded: false });
    expect(mapped({ status: 429, retryAfterMs: -5_000 }).retryAfterMs).toBe(0);
  });

  it('retries 5xx and 408 with backoff (no wait named), whatever the body says', () => {
    expect(mapped({ status: 503, error: 'invalid_token' })).toMatchObject({ kind: 'retryable', code: 'http_503', retryAfterMs: undefined });
    expect(mapped({ status: 408 })).toMatchObject({ kind: 'retryable', code: 'http_408' });
  });

  it("classifies Slack's code: channel problems fall back, bad credentials are fatal, the rest permanent", () => {
    expect(mapped({ status: 200, error: 'channel_not_found' })).toMatchObject({ kind: 'channel-unavailable', code: 'channel_not_found' });
    expect(mapped({ status: 200, error: 'not_in_channel' }).kind).toBe('channel-unavailable');
    expect(mapped({ status: 410, error: 'channel_is_archived' }).kind).toBe('channel-unavailable');
    expect(mapped({ status: 200, error: 'invalid_auth' })).toMatchObject({ kind: 'fatal', code: 'invalid_auth' });
    expect(mapped({ status: 403, error: 'invalid_token' }).kind).toBe('fatal');
    expect(mapped({ status: 200, error: 'invalid_blocks' })).toMatchObject({ kind: 'permanent', code: 'invalid_blocks' });
    expect(mapped({ status: 400 })).toMatchObject({ kind: 'permanent', code: 'http_400' });
  });

  it('trusts a transient code only in a 200 answer (a platform error), and spells rate limits one way', () => {
    expect(mapped({ status: 200, error: 'internal_error' })).toMatchObject({ kind: 'retryable', code: 'internal_error', retryAfterMs: undefined });
    expect(mapped({ status: 200, error: 'rate_limited' })).toMatchObject({ kind: 'retryable', code: 'ratelimited' });
    expect(mapped({ status: 400, error: 'internal_error' })).toMatchObject({ kind: 'permanent', code: 'internal_error' });
  });
});

describe('requestFailure', () => {
  it('says whether a post that got no answer may have landed', () => {
    expect(requestFailure({ name: 'TimeoutError' })).toMatchObject({ kind: 'retryable', code: 'timeout', mayHaveLanded: true });
    expect(requestFailure({ name: 'TypeError', cause: { code: 'ECONNREFUSED' } })).toMatchObject({ code: 'connection_failed_econnrefused', mayHaveLanded: false });
    expect(requestFailure({ name: 'TypeError', cause: { code: 'ECONNRESET' } })).toMatchObject({ code: 'request_error', mayHaveLanded: true });
    expect(requestFailure(undefined)).toMatchObject({ code: 'request_error', mayHaveLanded: true });
  });
});

describe('asSlackPostError', () => {
  it('keeps a SlackPostError and retries anything else as unexpected_error', () => {
    const known = new SlackPostError('fatal', 'invalid_auth');
    expect(asSlackPostError(known)).toBe(known);
    expect(asSlackPostError(new Error('boom'))).toMatchObject({ kind: 'retryable', code: 'unexpected_error' });
  });
});
