/**
 * Posts through a Slack incoming webhook (`@slack/webhook`), as before: `channel`, `username`
 * and `icon_emoji` are sent (legacy webhooks honour them; a Slack app's webhook posts to its
 * own channel). No threads. The library's retries are off and 429 is not retried by it at
 * all, so `postWithRetry` does both, honouring `Retry-After`. The webhook URL is a secret: it
 * never appears in an error.
 */
import { IncomingWebhook, type FetchFunction } from '@slack/webhook';
import { parseRetryAfter } from '../util/retryAfter.js';
import { asSlackPostError, refusalError, requestFailure } from './slackErrors.js';
import { DEFAULT_SLACK_TIMEOUT_MS, type PostOptions, type PostReceipt, type SlackMessage, type SlackPostError, type SlackSender, type SlackSenderOptions } from './slackSender.js';
import { normaliseChannel } from './slackText.js';

export interface WebhookSenderOptions extends SlackSenderOptions {
  /** SLACK_WEBHOOK_URL: a secret. */
  webhookUrl: string;
  username: string;
  /** Emoji name without colons. */
  iconEmoji: string;
}

export class WebhookSender implements SlackSender {
  readonly kind = 'webhook' as const;
  readonly threads = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  async post(message: SlackMessage, options: PostOptions = {}): Promise<PostReceipt> {
    // One client per post, so the Retry-After seen below is this post's.
    let retryAfterMs: number | undefined;
    const fetchWithHeaders: FetchFunction = async (input, init) => {
      const response = await fetch(input, init as RequestInit);
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return response;
    };
    const webhook = new IncomingWebhook(this.options.webhookUrl, {
      username: this.options.username,
      icon_emoji: `:${this.options.iconEmoji}:`,
      timeout: options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS,
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
      throw toPostError(error, retryAfterMs);
    }
  }
}

/** What the webhook client's error says Slack answered, or that no answer came. */
function toPostError(error: unknown, retryAfterMs: number | undefined): SlackPostError {
  const e = error as { code?: string; statusCode?: number; body?: unknown; original?: { name?: string; cause?: { code?: unknown } } };
  if (e.code === 'slack_webhook_http_error') return refusalError({ status: e.statusCode ?? 0, error: webhookErrorCode(e.body), retryAfterMs });
  if (e.code === 'slack_webhook_request_error') return requestFailure(e.original);
  return asSlackPostError(error);
}

/** Slack answers webhook errors with a short code as the body (`channel_not_found`, `invalid_token`). */
function webhookErrorCode(body: unknown): string | undefined {
  const text = typeof body === 'string' ? body.trim() : '';
  return /^[a-z_]{1,60}$/.test(text) ? text : undefined;
}
