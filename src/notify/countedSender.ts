/** A Slack sender whose every post attempt is counted in the metrics (`acrsync.slack.posts`), by sender and result. */
import { recordSlackPost } from '../metrics/scanMetrics.js';
import { SlackPostError, type SlackSender } from './slackSender.js';

export function countedSender(sender: SlackSender): SlackSender {
  return {
    kind: sender.kind,
    threads: sender.threads,
    async post(message, options) {
      try {
        const receipt = await sender.post(message, options);
        recordSlackPost(sender.kind, 'ok');
        return receipt;
      } catch (error) {
        // Senders throw SlackPostError only (slackErrors.ts); anything else is a bug, counted apart.
        recordSlackPost(sender.kind, error instanceof SlackPostError ? error.kind : 'unexpected');
        throw error;
      }
    },
  };
}
