/**
 * Posts through a Slack incoming webhook (`@slack/webhook`), as before: `channel`, `username`
 * and `icon_emoji` are sent (legacy webhooks honour them; a Slack app's webhook posts to its
 * own channel). No threads. The library's retries are off and 429 is not retried by it at
 * all, so `postWithRetry` does both, honouring `Retry-After`. The webhook URL is a secret: it
 * never appears in an error.
 */
import { IncomingWebhook, type FetchFunction } from '@slack/webhook';
import { classifySlackError, parseRetryAfter, requestFailure, SlackPostError, type PostOptions, type PostReceipt, type SlackMessage, type SlackSender } from './slackSender.js';
import { normaliseChannel } from './slackText.js';

export interface WebhookAppearance {
  username: string;
  /** Emoji name without colons. */
  iconEmoji: string;
}

export class WebhookSender implements SlackSender {
  readonly kind = 'webhook' as const;
  readonly threads = false;

  constructor(
    private readonly url: string,
    private readonly appearance: WebhookAppearance,
    private readonly timeoutMs = 10_000,
  ) {}

  async post(message: SlackMessage, options: PostOptions = {}): Promise<PostReceipt> {
    // One client per post, so the response headers (Retry-After) seen below are this post's.
    let retryAfter: string | null = null;
    const fetchWithHeaders: FetchFunction = async (input, init) => {
      const response = await fetch(input, init as RequestInit);
      retryAfter = response.headers.get('retry-after');
      return response;
    };
    const webhook = new IncomingWebhook(this.url, {
      username: this.appearance.username,
      icon_emoji: `:${this.appearance.iconEmoji}:`,
      timeout: options.timeoutMs ?? this.timeoutMs,
      retryConfig: { retries: 0 },
      fetch: fetchWithHeaders,
    });
    try {
      await webhook.send({
        channel: normaliseChannel(message.channel),
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return {};
    } catch (error) {
      throw toPostError(error, retryAfter);
    }
  }
}

function toPostError(error: unknown, retryAfter: string | null): SlackPostError {
  const e = error as { code?: string; statusCode?: number; body?: unknown; original?: { name?: string; cause?: { code?: unknown } } };
  if (e.code === 'slack_webhook_http_error') {
    const status = e.statusCode ?? 0;
    if (status === 429) return new SlackPostError('retryable', 'rate_limited', parseRetryAfter(retryAfter) ?? 1_000);
    if (status >= 500 || status === 408) return new SlackPostError('retryable', `http_${status}`);
    // Slack answers webhook errors with a short code as the body (`channel_not_found`, `invalid_token`).
    const body = typeof e.body === 'string' ? e.body.trim() : '';
    const code = /^[a-z_]{1,60}$/.test(body) ? body : `http_${status}`;
    const kind = classifySlackError(code);
    return new SlackPostError(kind === 'retryable' ? 'permanent' : kind, code);
  }
  if (e.code === 'slack_webhook_request_error') return requestFailure(e.original);
  return new SlackPostError('retryable', 'unexpected_error');
}
