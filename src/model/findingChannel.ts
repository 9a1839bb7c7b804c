import type { Finding } from './finding.js';

/**
 * The team channel of a finding, as the status page and the metrics show it: the one its resolved
 * settings name when it has them (per-workload settings; null when no channel is configured
 * anywhere), else the channel the scan gave it.
 */
export function findingChannel(finding: Pick<Finding, 'channel' | 'settings'>): string | null {
  return finding.settings ? finding.settings.channel.value : finding.channel;
}
