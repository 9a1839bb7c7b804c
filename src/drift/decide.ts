/**
 * The drift decision: pure code, no I/O. Given one workload container's image, what the
 * cluster runs and what the registry says is newest, decide its status.
 */
import { shortDigest } from '../model/digest.js';
import type { FindingStatus } from '../model/finding.js';
import type { ParsedImageReference } from '../model/image.js';
import type { RegistryLookupResult, TagInfo } from '../model/registry.js';
import { formatDuration } from '../util/duration.js';

export interface TrackingRules {
  /** Lower-cased login servers from REGISTRIES; only these are looked up. */
  registries: ReadonlySet<string>;
  /** True when a tag counts as a release (TAG_PATTERN, or the workload's own pattern). */
  matchesTagPattern: (tag: string) => boolean;
  /** How reasons name the pattern: `TAG_PATTERN` (the default), or the workload's pattern and where it was set. */
  tagPatternLabel?: string;
}

/** Whether a reference is looked up in a registry, and if not, why. */
export type TrackingVerdict =
  | { tracked: true; registry: string; repository: string }
  | { tracked: false; reason: string };

/**
 * Whether the registry is asked about this image:
 * - an invalid reference, or one from a registry outside REGISTRIES, is untracked;
 * - a tag that does not match TAG_PATTERN makes it untracked, even with a digest next to it
 *   (`app:dev-1@sha256:…`): the tag says it is not a release;
 * - a release tag, or a digest alone, is tracked.
 */
export function classifyReference(reference: ParsedImageReference, rules: TrackingRules): TrackingVerdict {
  if (!reference.valid) return { tracked: false, reason: `invalid image reference: ${reference.error}` };
  if (!rules.registries.has(reference.registry)) {
    return { tracked: false, reason: `registry ${reference.registry} is not in REGISTRIES` };
  }
  if (reference.tag !== undefined && !rules.matchesTagPattern(reference.tag)) {
    return { tracked: false, reason: `tag ${reference.tag} does not match ${rules.tagPatternLabel ?? 'TAG_PATTERN'}` };
  }
  return { tracked: true, registry: reference.registry, repository: reference.repository };
}

export interface DriftInput {
  reference: ParsedImageReference;
  /** Digest the pods actually run (from status.imageID), when known. */
  runningDigest?: string;
  lookup: RegistryLookupResult;
  now: Date;
  gracePeriodMs: number;
  /** How the reason names the pattern when no tag matches it (default `TAG_PATTERN`). */
  tagPatternLabel?: string;
}

export interface DriftDecision {
  status: FindingStatus;
  reason?: string;
  newest?: TagInfo;
}

/**
 * How far ahead of this host's clock a registry's push time may be and still count as "pushed
 * now". Clocks of hosts synchronised with NTP differ by far less; a push time further ahead
 * says one of the clocks is wrong, and trusting it would keep a lagging workload `pending`
 * for as long as the error lasts (years, for a wrong year).
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The status of one tracked image, given the registry's answer:
 *
 * - the registry could not be asked → `error`; it was asked but named no release (the
 *   repository does not exist, or no tag among the newest ACR_MAX_RESULTS matches the
 *   pattern) → `no-release`, which is not `untracked`: the image is tracked, we just could
 *   not tell this time, so an alert about it is held rather than resolved;
 * - the deployed digest (what the pods run, else the digest in the reference) is the newest
 *   tag's digest → `in-sync`, whatever tag the pod spec names (a re-tag is not drift);
 * - the pod spec names the newest tag and the deployed digest is unknown → `in-sync`;
 * - the pod spec names the newest tag but runs another digest (the tag was pushed again and
 *   the pods were not restarted) → `stale-digest`;
 * - anything else → `drift`.
 *
 * `stale-digest` and `drift` are `pending` while the newest tag is younger than the grace
 * period (a rollout may be under way); at exactly the grace period they count. A push time up
 * to MAX_CLOCK_SKEW_MS ahead of `now` counts as pushed now; further ahead it is an `error`.
 */
export function decideDrift(input: DriftInput): DriftDecision {
  const { reference, lookup } = input;
  if (!reference.valid) return { status: 'untracked', reason: `invalid image reference: ${reference.error}` };
  switch (lookup.kind) {
    case 'error':
      return { status: 'error', reason: lookup.reason };
    case 'unknown-repository':
      return { status: 'no-release', reason: `repository ${reference.repository} not found in ${reference.registry}` };
    case 'no-match':
      return { status: 'no-release', reason: `no tag matching ${input.tagPatternLabel ?? 'TAG_PATTERN'} among the newest ${lookup.examined} tags` };
    case 'found':
      break;
  }

  const { newest } = lookup;
  const deployedDigest = input.runningDigest ?? reference.digest;
  if (deployedDigest !== undefined && deployedDigest === newest.digest) {
    return reference.tag === newest.name
      ? { status: 'in-sync', newest }
      : { status: 'in-sync', reason: `runs the digest of newest ${newest.name}`, newest };
  }

  const ahead = newest.lastUpdatedOn.getTime() - input.now.getTime();
  if (ahead > MAX_CLOCK_SKEW_MS) {
    return {
      status: 'error',
      reason: `the registry's push time of ${newest.name} (${newest.lastUpdatedOn.toISOString()}) is in the future: clock skew? (${formatDuration(ahead)} ahead of this host)`,
      newest,
    };
  }
  const age = Math.max(0, -ahead);
  const withinGrace = age < input.gracePeriodMs;
  const ago = formatDuration(age);
  const countsIn = formatDuration(input.gracePeriodMs - age);

  if (reference.tag === newest.name) {
    if (deployedDigest === undefined) return { status: 'in-sync', newest };
    const moved = `tag ${newest.name} was pushed again ${ago} ago (now ${shortDigest(newest.digest)})`;
    const runs = reference.digest !== undefined && input.runningDigest === undefined
      ? `the pod spec pins ${shortDigest(deployedDigest)}`
      : `pods still run ${shortDigest(deployedDigest)}`;
    if (withinGrace) return { status: 'pending', reason: `${moved}; ${runs}; counts as stale in ${countsIn}`, newest };
    return { status: 'stale-digest', reason: `${moved}; ${runs}`, newest };
  }

  if (withinGrace) {
    return { status: 'pending', reason: `newest ${newest.name} was pushed ${ago} ago; counts as drift in ${countsIn}`, newest };
  }
  return { status: 'drift', reason: `newest ${newest.name} was pushed ${ago} ago`, newest };
}
