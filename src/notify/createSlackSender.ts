/** The Slack sender the settings ask for: the bot when SLACK_BOT_TOKEN is set, else the webhook; null without either. Its posts are counted in the metrics. */
import type { SlackConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { countedSender } from './countedSender.js';
import type { SlackSender, SlackSenderOptions } from './slackSender.js';
import { WebApiSender } from './webApiSender.js';
import { WebhookSender } from './webhookSender.js';

/** The Slack settings (as in `SlackConfig`), what every sender takes, and the bot's logger. */
export interface CreateSlackSenderOptions extends Pick<SlackConfig, 'botToken' | 'apiUrl' | 'webhookUrl' | 'username' | 'iconEmoji'>, SlackSenderOptions {
  logger: Logger;
}

export function createSlackSender(options: CreateSlackSenderOptions): SlackSender | null {
  const { botToken, apiUrl, webhookUrl, username, iconEmoji, timeoutMs, logger } = options;
  if (botToken) return countedSender(new WebApiSender({ botToken, apiUrl, timeoutMs, logger }));
  if (webhookUrl) return countedSender(new WebhookSender({ webhookUrl, username, iconEmoji, timeoutMs }));
  return null;
}
