/**
 * The names under which clusters, namespaces and workloads give their own settings:
 *
 * - pod annotations (from the workload's pod template) and namespace labels or annotations:
 *   `acr-aks-sync.io/slack-channel`, `acr-aks-sync.io/tag-pattern`, `acr-aks-sync.io/grace-period`,
 *   `acr-aks-sync.io/track`; for one container of a pod, version-checker's convention with the
 *   container's name after the slash: `tag-pattern.acr-aks-sync.io/<container>`,
 *   `grace-period.acr-aks-sync.io/<container>`, `track.acr-aks-sync.io/<container>` (the channel
 *   is per workload only: one workload, one owning team);
 * - AKS resource tags, whose names cannot contain `/`: `acr-aks-sync.slack-channel`,
 *   `acr-aks-sync.tag-pattern`, `acr-aks-sync.grace-period`, `acr-aks-sync.track`,
 *   `acr-aks-sync.excluded-namespaces`, `acr-aks-sync.name`.
 */

/** The settings a workload, a namespace or a cluster may give itself. */
export type OverridableSetting = 'channel' | 'tagPattern' | 'gracePeriod' | 'track';
export const OVERRIDABLE_SETTINGS: readonly OverridableSetting[] = ['channel', 'tagPattern', 'gracePeriod', 'track'];

/** The word of each setting in annotation, label and tag names. */
export const SETTING_WORDS: Readonly<Record<OverridableSetting, string>> = {
  channel: 'slack-channel',
  tagPattern: 'tag-pattern',
  gracePeriod: 'grace-period',
  track: 'track',
};

/** What only a cluster can say about itself, as AKS tags (and CLUSTER_SETTINGS). */
export const CLUSTER_ONLY_WORDS = { excludedNamespaces: 'excluded-namespaces', name: 'name' } as const;

export const ANNOTATION_DOMAIN = 'acr-aks-sync.io';
const WORKLOAD_PREFIX = `${ANNOTATION_DOMAIN}/`;
const CONTAINER_DOMAIN_SUFFIX = `.${ANNOTATION_DOMAIN}`;
export const AKS_TAG_PREFIX = 'acr-aks-sync.';

/** The key for a whole workload or namespace: `acr-aks-sync.io/tag-pattern`. */
export function settingKey(setting: OverridableSetting): string {
  return `${WORKLOAD_PREFIX}${SETTING_WORDS[setting]}`;
}

/** The key for one container of a pod: `tag-pattern.acr-aks-sync.io/api`. */
export function containerSettingKey(setting: OverridableSetting, container: string): string {
  return `${SETTING_WORDS[setting]}${CONTAINER_DOMAIN_SUFFIX}/${container}`;
}

/** The AKS tag of a cluster setting: `acr-aks-sync.tag-pattern`. */
export function aksTagName(word: string): string {
  return `${AKS_TAG_PREFIX}${word}`;
}

/** Whether an annotation or label key is in acr-aks-sync's domain (kept when pods and namespaces are folded; everything else is dropped). */
export function isSettingKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return false;
  const prefix = key.slice(0, slash);
  return prefix === ANNOTATION_DOMAIN || prefix.endsWith(CONTAINER_DOMAIN_SUFFIX);
}

/** What a key in acr-aks-sync's domain says: a setting, for the workload or one container; or why it says nothing. */
export type SettingKey = { setting: OverridableSetting; container?: string } | { problem: string };

const BY_WORD = new Map(OVERRIDABLE_SETTINGS.map((s) => [SETTING_WORDS[s], s]));
const KNOWN_KEYS = OVERRIDABLE_SETTINGS.map(settingKey).join(', ');
const KNOWN_CONTAINER_KEYS = OVERRIDABLE_SETTINGS.filter((s) => s !== 'channel').map((s) => containerSettingKey(s, '<container>')).join(', ');

/** Reads a key for which `isSettingKey` holds. */
export function readSettingKey(key: string): SettingKey {
  const slash = key.indexOf('/');
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (prefix === ANNOTATION_DOMAIN) {
    const setting = BY_WORD.get(name);
    return setting ? { setting } : { problem: `is not a setting (the settings are ${KNOWN_KEYS}, and per container ${KNOWN_CONTAINER_KEYS})` };
  }
  const word = prefix.slice(0, -CONTAINER_DOMAIN_SUFFIX.length);
  const setting = BY_WORD.get(word);
  if (setting === 'channel') return { problem: `the Slack channel is set for a whole workload only (${settingKey('channel')}): one workload, one owning team` };
  if (!setting || name === '') return { problem: `is not a setting (per container: ${KNOWN_CONTAINER_KEYS})` };
  return { setting, container: name };
}
