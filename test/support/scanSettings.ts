/** The app's own settings for scans built by hand in tests (as globalSettings makes them from a Config). */
import type { ClusterSettingsConfig } from '../../src/config/clusterSettings.js';
import type { SlackConfig } from '../../src/config/config.js';
import { globalSettings, type GlobalSettings } from '../../src/overrides/globalSettings.js';

export interface TestSettings {
  tagPattern?: string;
  gracePeriodMs?: number;
  excludedNamespaces?: readonly string[];
  /** SLACK_CHANNEL; none (no Slack) by default. */
  defaultChannel?: string;
  clusterSettings?: ClusterSettingsConfig;
}

export function testSettings(options: TestSettings = {}): GlobalSettings {
  return globalSettings({
    tagPattern: options.tagPattern ?? 'prod-*',
    gracePeriodMs: options.gracePeriodMs ?? 0,
    excludedNamespaces: [...(options.excludedNamespaces ?? [])],
    slackChannelLabel: 'slackChannel',
    slack: options.defaultChannel ? ({ channel: options.defaultChannel } as SlackConfig) : null,
    ...(options.clusterSettings ? { clusterSettings: options.clusterSettings } : {}),
  });
}
