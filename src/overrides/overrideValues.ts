/**
 * The values of settings given by clusters, namespaces and workloads (annotations, labels, AKS
 * tags), checked as the variable each stands in for is checked (SLACK_CHANNEL, TAG_PATTERN,
 * GRACE_PERIOD, EXCLUDED_NAMESPACES): a workload can set what the app would accept, and nothing
 * else. A channel is a channel name or ID, so a value cannot mention people (`<!here>`) or
 * carry a link.
 */
import { parseClusterDisplayName, parseTrackMode, type TrackMode, type WrittenDuration } from '../config/clusterSettings.js';
import { InvalidSetting } from '../config/invalidSetting.js';
import { DURATION_BOUNDS, duration, parseChannel, parseNamespaces, parseTagPattern } from '../config/settingValues.js';
import { quoteValue } from '../util/text.js';
import type { OverridableSetting } from './settingKeys.js';

/** A good value of each setting, for the examples after a problem. */
export const GOOD_VALUES: Readonly<Record<OverridableSetting | 'trackMode' | 'excludedNamespaces' | 'name', string>> = {
  channel: 'staging-alerts',
  tagPattern: 'staging-*',
  gracePeriod: '10m',
  track: 'false',
  trackMode: 'annotated',
  excludedNamespaces: 'kube-system sandbox',
  name: 'Staging EU',
};

/** What each setting's value is, once read. */
export interface OverrideValues {
  channel: string;
  tagPattern: string;
  gracePeriod: WrittenDuration;
  track: boolean;
}

export type Read<T> = { value: T } | { problem: string };

/** `parse(text)`, or the message of the InvalidSetting it throws. */
function reading<T>(parse: (text: string) => T, text: string): Read<T> {
  try {
    return { value: parse(text) };
  } catch (error) {
    if (!(error instanceof InvalidSetting)) throw error;
    return { problem: error.message };
  }
}

function parseTrack(text: string): boolean {
  const word = text.toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  throw new InvalidSetting(`${quoteValue(text)} is neither "true" (watch it) nor "false" (do not watch it)`);
}

const PARSERS: { readonly [S in OverridableSetting]: (text: string) => OverrideValues[S] } = {
  channel: parseChannel,
  tagPattern: parseTagPattern,
  gracePeriod: (text) => ({ text, ms: duration(DURATION_BOUNDS.GRACE_PERIOD)(text) }),
  track: parseTrack,
};

/** A workload's, namespace's or cluster's value of `setting` (trimmed, not blank). */
export function readOverride<S extends OverridableSetting>(setting: S, text: string): Read<OverrideValues[S]> {
  return reading(PARSERS[setting], text);
}

/** A cluster's track mode (`all` or `annotated`) from its AKS tag. */
export function readTrackMode(text: string): Read<TrackMode> {
  return reading(parseTrackMode, text);
}

/** A cluster's excluded namespaces from its AKS tag: names separated by spaces, `;` or `,` (tag values read better without commas). */
export function readExcludedNamespaces(text: string): Read<readonly string[]> {
  return reading((value) => parseNamespaces(value.split(/[\s;,]+/).filter(Boolean).join(',')), text);
}

/** A cluster's name for messages from its AKS tag. */
export function readClusterName(text: string): Read<string> {
  return reading(parseClusterDisplayName, text);
}

/**
 * The value of a key as it is kept: trimmed, and blank counting as unset (as with environment
 * variables: a template that renders an empty value means "not set"). A value longer than any
 * valid one is cut with its length after it, which no setting accepts, so it is reported, not
 * kept whole.
 */
export function keptValue(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  return text.length <= MAX_KEPT_CHARS ? text : `${text.slice(0, MAX_KEPT_CHARS)}… (${text.length} characters)`;
}

/** Longer than any valid value (a tag pattern is at most a tag's 128 characters, plus classes). */
const MAX_KEPT_CHARS = 512;
