/**
 * A cluster's own settings: its CLUSTER_SETTINGS entry, then its AKS resource tags (which come
 * with the `managedClusters.get` the scan makes anyway). Configuration wins over tags: the
 * platform team's deployment is the stronger statement; tags let cluster owners fill in what
 * configuration leaves open.
 *
 * CLUSTER_SETTINGS was checked when the app started; a tag is checked here, and a bad one is
 * not a failed cluster: every finding that would use it becomes an `error` naming the tag.
 * Tag names are compared without case, as Azure compares them.
 */
import { clusterSettingsFor, type ClusterSettingsEntry, type TrackMode, type WrittenDuration } from '../config/clusterSettings.js';
import type { ClusterSettingsReport, ResolvedSetting } from '../model/finding.js';
import type { GlobalSettings } from './globalSettings.js';
import { GOOD_VALUES, keptValue, readClusterName, readExcludedNamespaces, readOverride, readTrackMode, type Read } from './overrideValues.js';
import { AKS_TAG_PREFIX, CLUSTER_ONLY_WORDS, SETTING_WORDS, aksTagName } from './settingKeys.js';

/** One level's answer for a setting: its value and where it came from, or why its value cannot be used. */
export type Level<T> = { setting: ResolvedSetting<T> } | { problem: string };

export interface ClusterLevel {
  /** The cluster's display name (CLUSTERS alias or name, kubeconfig context). */
  cluster: string;
  /** Absent when neither CLUSTER_SETTINGS nor a tag sets it: the variable or default applies. */
  channel?: Level<string>;
  tagPattern?: Level<string>;
  gracePeriod?: Level<WrittenDuration>;
  trackMode?: Level<TrackMode>;
  /** Resolved through to the default: the cluster's listing needs them, and messages its name. */
  report: ClusterSettingsReport;
  /** Bad tags every finding of the cluster uses (its excluded namespaces, its name). */
  problems: readonly string[];
}

type Tags = ReadonlyMap<string, string>;

/** The acr-aks-sync tags, by lower-cased name, blank values left out. */
function settingTags(tags: Readonly<Record<string, string>> | undefined): Tags {
  const kept = new Map<string, string>();
  for (const [name, raw] of Object.entries(tags ?? {})) {
    if (!name.toLowerCase().startsWith(AKS_TAG_PREFIX) || typeof raw !== 'string') continue;
    const value = keptValue(raw);
    if (value !== undefined) kept.set(name.toLowerCase(), value);
  }
  return kept;
}

/**
 * The level for one setting: CLUSTER_SETTINGS.<key>.<property> when the entry has it, else the
 * tag `acr-aks-sync.<word>` read with `read`, else nothing.
 */
function level<T>(
  cluster: string,
  configured: { key: string; entry: ClusterSettingsEntry } | undefined,
  property: keyof ClusterSettingsEntry,
  value: T | undefined,
  tags: Tags,
  tag: { word: string; read: (text: string) => Read<T>; example: string },
): Level<T> | undefined {
  if (configured && value !== undefined) return { setting: { value, from: `CLUSTER_SETTINGS.${configured.key}.${property}` } };
  const name = aksTagName(tag.word);
  const text = tags.get(name);
  if (text === undefined) return undefined;
  const from = `AKS tag ${name} on cluster ${cluster}`;
  const read = tag.read(text);
  return 'value' in read ? { setting: { value: read.value, from } } : { problem: `${from}: ${read.problem} (e.g. ${name} = ${tag.example})` };
}

/** A cluster-only setting resolved through to the app's own value: a bad tag is a problem, and the app's value is used meanwhile. */
function throughToGlobal<T>(found: Level<T> | undefined, global: ResolvedSetting<T>, problems: string[]): ResolvedSetting<T> {
  if (!found) return global;
  if ('problem' in found) {
    problems.push(found.problem);
    return global;
  }
  return found.setting;
}

export function resolveClusterLevel(cluster: string, global: GlobalSettings, resourceTags?: Readonly<Record<string, string>>): ClusterLevel {
  const configured = clusterSettingsFor(global.clusters, cluster);
  const entry = configured?.entry ?? {};
  const tags = settingTags(resourceTags);
  const problems: string[] = [];
  const ownLevel = <T>(property: keyof ClusterSettingsEntry, value: T | undefined, word: string, read: (text: string) => Read<T>, example: string) =>
    level(cluster, configured, property, value, tags, { word, read, example });
  const excluded = ownLevel('excludedNamespaces', entry.excludedNamespaces, CLUSTER_ONLY_WORDS.excludedNamespaces, readExcludedNamespaces, GOOD_VALUES.excludedNamespaces);
  const name = ownLevel('name', entry.name, CLUSTER_ONLY_WORDS.name, readClusterName, GOOD_VALUES.name);
  const result: ClusterLevel = {
    cluster,
    report: {
      name: throughToGlobal(name, { value: cluster, from: 'default' }, problems),
      excludedNamespaces: throughToGlobal(excluded, global.excludedNamespaces, problems),
    },
    problems,
  };
  const channel = ownLevel('slackChannel', entry.slackChannel, SETTING_WORDS.channel, (t) => readOverride('channel', t), GOOD_VALUES.channel);
  const tagPattern = ownLevel('tagPattern', entry.tagPattern, SETTING_WORDS.tagPattern, (t) => readOverride('tagPattern', t), GOOD_VALUES.tagPattern);
  const gracePeriod = ownLevel('gracePeriod', entry.gracePeriod, SETTING_WORDS.gracePeriod, (t) => readOverride('gracePeriod', t), GOOD_VALUES.gracePeriod);
  const trackMode = ownLevel('track', entry.track, SETTING_WORDS.track, readTrackMode, GOOD_VALUES.trackMode);
  return { ...result, ...(channel ? { channel } : {}), ...(tagPattern ? { tagPattern } : {}), ...(gracePeriod ? { gracePeriod } : {}), ...(trackMode ? { trackMode } : {}) };
}
