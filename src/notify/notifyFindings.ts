/**
 * Sends one Slack message per drifted or stale workload container, to its channel.
 * (Issue-2 behaviour: stateless, every scan.)
 */
import type { Logger } from '../log/logger.js';
import type { ScanReport } from '../report/types.js';
import { alertLine } from './slackText.js';
import type { MessageSender } from './webhookSender.js';

export interface NotifyResult {
  sent: number;
  failed: number;
}

export async function notifyFindings(report: ScanReport, sender: MessageSender, logger: Logger): Promise<NotifyResult> {
  const result: NotifyResult = { sent: 0, failed: 0 };
  for (const cluster of report.clusters) {
    for (const finding of cluster.findings) {
      if (finding.status !== 'drift' && finding.status !== 'stale-digest') continue;
      if (!finding.channel) continue;
      try {
        await sender.post({ channel: finding.channel, text: alertLine(cluster.name, finding) });
        result.sent += 1;
      } catch (error) {
        result.failed += 1;
        logger.error('Slack post failed', { cluster: cluster.name, channel: finding.channel, reason: (error as Error).message });
      }
    }
  }
  return result;
}
