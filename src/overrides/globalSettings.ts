/**
 * The last levels of every setting: the app's own variables, and the built-in defaults. Each
 * value says where it came from: the variable when it was set, `default` when it was not.
 */
import type { ClusterSettingsConfig, TrackMode, WrittenDuration } from '../config/clusterSettings.js';
import type { Config } from '../config/config.js';
import { CONFIG_DEFAULTS, type ConfigVariable } from '../config/settings.js';
import type { ResolvedSetting } from '../model/finding.js';
import { formatDuration, parseDuration } from '../util/duration.js';

export interface GlobalSettings {
  /** SLACK_CHANNEL; null without Slack. */
  channel: ResolvedSetting<string | null>;
  tagPattern: ResolvedSetting<string>;
  gracePeriod: ResolvedSetting<WrittenDuration>;
  /** No variable: every workload is watched unless a cluster says otherwise. */
  trackMode: ResolvedSetting<TrackMode>;
  excludedNamespaces: ResolvedSetting<readonly string[]>;
  /** SLACK_CHANNEL_LABEL: the namespace label that names a team's channel (the oldest way to set one). */
  channelLabel: string;
  /** CLUSTER_SETTINGS. */
  clusters: ClusterSettingsConfig;
}

export type GlobalConfig = Pick<Config, 'tagPattern' | 'gracePeriodMs' | 'excludedNamespaces' | 'slackChannelLabel' | 'slack' | 'clusterSettings' | 'written'>;

/** Where a variable's value came from: the variable when it was set (or differs from its default), else the default. */
function origin(config: GlobalConfig, variable: ConfigVariable, isDefault: boolean): string {
  if (config.written) return config.written[variable] !== undefined ? variable : 'default';
  return isDefault ? 'default' : variable;
}

const DEFAULT_GRACE_MS = parseDuration(CONFIG_DEFAULTS.GRACE_PERIOD);

export function globalSettings(config: GlobalConfig): GlobalSettings {
  const graceText = config.written?.GRACE_PERIOD ?? (config.gracePeriodMs === DEFAULT_GRACE_MS ? CONFIG_DEFAULTS.GRACE_PERIOD : formatDuration(config.gracePeriodMs));
  const channel = config.slack?.channel ?? null;
  return {
    channel: { value: channel, from: channel === null ? 'default' : 'SLACK_CHANNEL' },
    tagPattern: { value: config.tagPattern, from: origin(config, 'TAG_PATTERN', config.tagPattern === CONFIG_DEFAULTS.TAG_PATTERN) },
    gracePeriod: { value: { text: graceText, ms: config.gracePeriodMs }, from: origin(config, 'GRACE_PERIOD', graceText === CONFIG_DEFAULTS.GRACE_PERIOD) },
    trackMode: { value: 'all', from: 'default' },
    excludedNamespaces: {
      value: config.excludedNamespaces,
      from: origin(config, 'EXCLUDED_NAMESPACES', config.excludedNamespaces.join(',') === CONFIG_DEFAULTS.EXCLUDED_NAMESPACES),
    },
    channelLabel: config.slackChannelLabel,
    clusters: config.clusterSettings ?? {},
  };
}
