/** Posts messages through a Slack incoming webhook (`@slack/webhook`). */
import { IncomingWebhook } from '@slack/webhook';
import { normaliseChannel } from './slackText.js';

export interface SlackPost {
  channel: string;
  text: string;
  blocks?: unknown[];
}

export interface MessageSender {
  post(message: SlackPost): Promise<void>;
}

export class WebhookSender implements MessageSender {
  private readonly webhook: IncomingWebhook;

  constructor(url: string, appearance: { username: string; iconEmoji: string }) {
    this.webhook = new IncomingWebhook(url, {
      username: appearance.username,
      icon_emoji: `:${appearance.iconEmoji}:`,
      timeout: 10_000,
    });
  }

  async post(message: SlackPost): Promise<void> {
    try {
      await this.webhook.send({
        channel: normaliseChannel(message.channel),
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
      });
    } catch (error) {
      // The webhook library's errors embed the request, and with it the secret URL.
      const code = (error as { code?: string }).code ?? 'error';
      const status = (error as { original?: { response?: { status?: number } } }).original?.response?.status;
      throw new Error(`Slack webhook post failed: ${code}${status ? ` (HTTP ${status})` : ''}`);
    }
  }
}
