/** The Slack sender the configuration asks for: the bot when SLACK_BOT_TOKEN is set, else the webhook. */
import type { SlackConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { SlackSender } from './slackSender.js';
import { WebApiSender } from './webApiSender.js';
import { WebhookSender } from './webhookSender.js';

export function createSlackSender(slack: SlackConfig, logger: Logger, options: { timeoutMs?: number } = {}): SlackSender | null {
  if (slack.botToken) {
    return new WebApiSender({
      botToken: slack.botToken,
      ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      logger,
    });
  }
  if (slack.webhookUrl) {
    return new WebhookSender(slack.webhookUrl, { username: slack.username, iconEmoji: slack.iconEmoji }, options.timeoutMs);
  }
  return null;
}
