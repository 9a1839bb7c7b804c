/**
 * The settings of one workload container, resolved most specific first (pure, no I/O):
 *
 *   container annotation > workload annotation > namespace annotation > namespace label
 *   (SLACK_CHANNEL_LABEL last, for the channel) > CLUSTER_SETTINGS > AKS tag > variable > default
 *
 * The first level that gives a setting decides it; a bad value there is a problem (the finding
 * becomes an `error` naming the key, the object and a good value), never a reason to fall back
 * to a level the user did not mean. A key in acr-aks-sync's domain that is not a setting, or a
 * per-container key naming no container of the pod, is a problem too: a typo is never ignored.
 *
 * Workloads without annotations of their own share their namespace's answer (one object per
 * namespace, not per finding).
 */
import type { TrackMode, WrittenDuration } from '../config/clusterSettings.js';
import type { FindingSettings, ResolvedSetting } from '../model/finding.js';
import type { NamespaceInfo, PodSettingAnnotations, WorkloadContainer } from '../model/workload.js';
import { clip } from '../util/text.js';
import type { ClusterLevel, Level } from './clusterLevel.js';
import type { GlobalSettings } from './globalSettings.js';
import { GOOD_VALUES, readOverride, type OverrideValues } from './overrideValues.js';
import { OVERRIDABLE_SETTINGS, containerSettingKey, isSettingKey, readSettingKey, settingKey, type OverridableSetting } from './settingKeys.js';

/** A workload container's settings, and why it is not watched when it is not; or what is wrong with them. */
export type WorkloadResolution =
  | { settings: FindingSettings; notWatched?: string }
  | { problems: readonly string[]; channel: string | null };

/** The levels a namespace or a pod gives, per setting, and the problems of its keys. */
interface OwnLevels {
  levels: { [S in OverridableSetting]?: Level<OverrideValues[S]> };
  problems: string[];
}

/** The level a key gives: its value and where it came from, or what is wrong with it and a good value. */
function keyLevel<S extends OverridableSetting>(setting: S, key: string, text: string, from: string): Level<OverrideValues[S]> {
  const read = readOverride(setting, text.trim());
  return 'value' in read ? { setting: { value: read.value, from } } : { problem: `${from}: ${read.problem} (e.g. ${key}: "${GOOD_VALUES[setting]}")` };
}

/** A value that sets something: blank counts as unset, as the inventory keeps it (overrideValues.ts keptValue). */
function given(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function assign<S extends OverridableSetting>(levels: OwnLevels['levels'], setting: S, level: Level<OverrideValues[S]>): void {
  (levels as Record<S, Level<OverrideValues[S]>>)[setting] = level;
}

/** A namespace's levels: its annotations, then its labels (label values cannot hold `*`), then SLACK_CHANNEL_LABEL for the channel. */
function namespaceLevels(name: string, info: NamespaceInfo | undefined, channelLabel: string): OwnLevels {
  const own: OwnLevels = { levels: {}, problems: [] };
  const annotations = info?.annotations ?? {};
  const labels = info?.labels ?? {};
  for (const [kind, values] of [['annotation', annotations], ['label', labels]] as const) {
    for (const key of Object.keys(values)) {
      if (key === channelLabel || !isSettingKey(key)) continue;
      const read = readSettingKey(key);
      if ('problem' in read) own.problems.push(`namespace ${kind} ${key} on namespace ${name}: ${read.problem}`);
      else if (read.container !== undefined) own.problems.push(`namespace ${kind} ${key} on namespace ${name}: a setting for one container is read from pod annotations only`);
    }
  }
  for (const setting of OVERRIDABLE_SETTINGS) {
    const key = settingKey(setting);
    const annotation = annotations[key];
    const label = labels[key];
    if (given(annotation)) assign(own.levels, setting, keyLevel(setting, key, annotation, `namespace annotation ${key} on namespace ${name}`));
    else if (given(label)) assign(own.levels, setting, keyLevel(setting, key, label, `namespace label ${key} on namespace ${name}`));
  }
  // The label teams have always used keeps working as it did: taken as it is, weaker than the keys above.
  const teamChannel = labels[channelLabel];
  if (!own.levels.channel && teamChannel) own.levels.channel = { setting: { value: teamChannel, from: `namespace label ${channelLabel} on namespace ${name}` } };
  return own;
}

/** A pod's levels for one of its containers: the container's keys, then the workload's. */
function podLevels(pod: PodSettingAnnotations, workload: string, container: string): OwnLevels {
  const own: OwnLevels = { levels: {}, problems: [] };
  const on = `on ${workload}`;
  for (const key of Object.keys(pod.annotations)) {
    if (!isSettingKey(key)) continue;
    const read = readSettingKey(key);
    if ('problem' in read) own.problems.push(`pod annotation ${key} ${on}: ${read.problem}`);
    else if (read.container !== undefined && !pod.containers.includes(read.container)) {
      own.problems.push(`pod annotation ${key} ${on}: names no container of the pod (its containers: ${pod.containers.map((c) => clip(c)).join(', ')})`);
    }
  }
  for (const setting of OVERRIDABLE_SETTINGS) {
    const keys = setting === 'channel' ? [settingKey(setting)] : [containerSettingKey(setting, container), settingKey(setting)];
    const key = keys.find((k) => given(pod.annotations[k]));
    if (key !== undefined) assign(own.levels, setting, keyLevel(setting, key, pod.annotations[key] as string, `pod annotation ${key} ${on}`));
  }
  return own;
}

/** The first level that gives the setting, or the variable or default. */
function first<T>(levels: ReadonlyArray<Level<T> | undefined>, fallback: ResolvedSetting<T>): Level<T> {
  return levels.find((l) => l !== undefined) ?? { setting: fallback };
}

function trackOfMode(mode: Level<TrackMode>): Level<boolean> {
  return 'problem' in mode ? mode : { setting: { value: mode.setting.value === 'all', from: mode.setting.from } };
}

export class SettingsResolver {
  private readonly byNamespace = new Map<string, { own: OwnLevels; shared: WorkloadResolution }>();

  constructor(
    private readonly global: GlobalSettings,
    private readonly cluster: ClusterLevel,
    private readonly namespaces: ReadonlyMap<string, NamespaceInfo>,
  ) {}

  resolve(container: Pick<WorkloadContainer, 'namespace' | 'workload' | 'container' | 'podSettings'>): WorkloadResolution {
    let namespace = this.byNamespace.get(container.namespace);
    if (!namespace) {
      const own = namespaceLevels(container.namespace, this.namespaces.get(container.namespace), this.global.channelLabel);
      namespace = { own, shared: this.combine(undefined, own) };
      this.byNamespace.set(container.namespace, namespace);
    }
    if (!container.podSettings) return namespace.shared;
    const workload = `${container.workload.kind}/${clip(container.workload.name)}`;
    return this.combine(podLevels(container.podSettings, workload, container.container), namespace.own);
  }

  private combine(pod: OwnLevels | undefined, namespace: OwnLevels): WorkloadResolution {
    const { global, cluster } = this;
    const chain = <S extends OverridableSetting>(setting: S): Array<Level<OverrideValues[S]> | undefined> => [pod?.levels[setting], namespace.levels[setting]];
    const channel = first<string | null>([...chain('channel'), cluster.channel], global.channel);
    const tagPattern = first([...chain('tagPattern'), cluster.tagPattern], global.tagPattern);
    const gracePeriod = first<WrittenDuration>([...chain('gracePeriod'), cluster.gracePeriod], global.gracePeriod);
    const track = first([...chain('track'), cluster.trackMode && trackOfMode(cluster.trackMode)], { value: global.trackMode.value === 'all', from: global.trackMode.from });
    const problems = [...(pod?.problems ?? []), ...namespace.problems, ...cluster.problems];
    for (const l of [channel, tagPattern, gracePeriod, track]) if ('problem' in l) problems.push(l.problem);
    if (problems.length > 0 || 'problem' in channel || 'problem' in tagPattern || 'problem' in gracePeriod || 'problem' in track) {
      // The channel the report shows for the error: the first level that gives a usable one.
      const usable = [...chain('channel'), cluster.channel].find((l): l is { setting: ResolvedSetting<string> } => l !== undefined && 'setting' in l);
      return { problems, channel: usable?.setting.value ?? global.channel.value };
    }
    const settings: FindingSettings = {
      channel: channel.setting,
      tagPattern: tagPattern.setting,
      gracePeriod: { value: gracePeriod.setting.value.text, ms: gracePeriod.setting.value.ms, from: gracePeriod.setting.from },
      track: track.setting,
    };
    return track.setting.value ? { settings } : { settings, notWatched: this.notWatched(track.setting, cluster.trackMode) };
  }

  /** Why a workload is not watched: it opted out, or its cluster watches only workloads that opt in. */
  private notWatched(track: ResolvedSetting<boolean>, mode: Level<TrackMode> | undefined): string {
    const byMode = mode && 'setting' in mode && mode.setting.from === track.from;
    if (!byMode) return `not watched: ${track.from} is "false"`;
    return `not watched: cluster ${this.cluster.cluster} watches only workloads that opt in (${track.from} is "annotated"); opt in with ${settingKey('track')}: "true" on the workload or its namespace`;
  }
}
