/**
 * Posts with a Slack app's bot token through `@slack/web-api` (`chat.postMessage`): any
 * channel the bot may post to (`chat:write`; `chat:write.public` for public channels it has
 * not joined), and replies in threads. The client's own retries are off (`retries: 0`,
 * `rejectRateLimitedCalls`): `postWithRetry` retries, so that 429 waits count against the
 * scan's budget and tests can use a fake clock.
 */
import { ErrorCode, LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../log/logger.js';
import { classifySlackError, requestFailure, SlackPostError, type PostOptions, type PostReceipt, type SlackMessage, type SlackSender } from './slackSender.js';
import { normaliseChannel } from './slackText.js';

export interface WebApiSenderOptions {
  botToken: string;
  /** SLACK_API_URL, with its trailing slash; Slack's own when absent. */
  apiUrl?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
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

function toPostError(error: unknown): SlackPostError {
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; original?: { name?: string; cause?: { code?: unknown } } };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new SlackPostError('retryable', 'ratelimited', Math.max(0, (e.retryAfter ?? 1) * 1000));
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      return new SlackPostError(status >= 500 || status === 408 ? 'retryable' : 'permanent', `http_${status}`);
    }
    case ErrorCode.RequestError:
      return requestFailure(e.original);
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new SlackPostError(classifySlackError(code), code);
    }
    default:
      return new SlackPostError('retryable', 'unexpected_error');
  }
}

export class WebApiSender implements SlackSender {
  readonly kind = 'bot' as const;
  readonly threads = true;
  /** One client per timeout: the web client's timeout is set when it is made. */
  private readonly clients = new Map<number, WebClient>();
  private readonly timeoutMs: number;

  constructor(private readonly options: WebApiSenderOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
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
