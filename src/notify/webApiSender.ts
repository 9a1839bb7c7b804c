/**
 * Posts with a Slack app's bot token through `@slack/web-api` (`chat.postMessage`): any
 * channel the bot may post to (`chat:write`; `chat:write.public` for public channels it has
 * not joined), and replies in threads. The client's own retries are off (`retries: 0`,
 * `rejectRateLimitedCalls`): `postWithRetry` retries, so that 429 waits count against the
 * scan's budget and tests can use a fake clock.
 */
import { ErrorCode, LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../log/logger.js';
import { asSlackPostError, refusalError, requestFailure } from './slackErrors.js';
import { DEFAULT_SLACK_TIMEOUT_MS, type PostOptions, type PostReceipt, type SlackMessage, type SlackPostError, type SlackSender, type SlackSenderOptions } from './slackSender.js';
import { normaliseChannel } from './slackText.js';

export interface WebApiSenderOptions extends SlackSenderOptions {
  /** SLACK_BOT_TOKEN. */
  botToken: string;
  /** SLACK_API_URL, with its trailing slash; Slack's own when absent. */
  apiUrl?: string | undefined;
  logger: Logger;
}

/** The web client's chatter goes to our debug log; outcomes are logged by the delivery. */
function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.DEBUG;
  const line = (...parts: unknown[]) => logger.debug(`slack web-api: ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}`);
  return {
    debug: line,
    info: line,
    warn: line,
    error: line,
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** What the web client's error says Slack answered, or that no answer came. */
function toPostError(error: unknown): SlackPostError {
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; original?: { name?: string; cause?: { code?: unknown } } };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      // The client read Retry-After (whole seconds) itself before rejecting the call.
      return refusalError({ status: 429, retryAfterMs: e.retryAfter === undefined ? undefined : e.retryAfter * 1000 });
    case ErrorCode.HTTPError:
      return refusalError({ status: e.statusCode ?? 0 });
    case ErrorCode.PlatformError:
      return refusalError({ status: 200, error: e.data?.error ?? 'unknown_error' });
    case ErrorCode.RequestError:
      return requestFailure(e.original);
    default:
      return asSlackPostError(error);
  }
}

export class WebApiSender implements SlackSender {
  readonly kind = 'bot' as const;
  readonly threads = true;
  /** One client per timeout: the web client's timeout is set when it is made. */
  private readonly clients = new Map<number, WebClient>();
  private readonly timeoutMs: number;

  constructor(private readonly options: WebApiSenderOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  }

  private client(timeoutMs: number): WebClient {
    let client = this.clients.get(timeoutMs);
    if (!client) {
      client = new WebClient(this.options.botToken, {
        ...(this.options.apiUrl ? { slackApiUrl: this.options.apiUrl } : {}),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: timeoutMs,
        logger: slackLogger(this.options.logger),
        logLevel: LogLevel.DEBUG,
      });
      this.clients.set(timeoutMs, client);
    }
    return client;
  }

  async post(message: SlackMessage, options: PostOptions = {}): Promise<PostReceipt> {
    try {
      const response = await this.client(options.timeoutMs ?? this.timeoutMs).chat.postMessage({
        channel: normaliseChannel(message.channel),
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return {
        ...(typeof response.channel === 'string' ? { channelId: response.channel } : {}),
        ...(typeof response.ts === 'string' ? { ts: response.ts } : {}),
      };
    } catch (error) {
      throw toPostError(error);
    }
  }
}
