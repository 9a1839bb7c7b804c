/**
 * The drift decision: pure code, no I/O. Given one workload container's image, what the
 * cluster runs and what the registry says is newest, decide its status.
 */
import type { ParsedImageReference } from '../inventory/imageReference.js';
import type { RegistryLookupResult, TagInfo } from '../registry/types.js';
import type { FindingStatus } from '../report/types.js';

export interface TrackingRules {
  /** Lower-cased login servers from REGISTRIES; only these are looked up. */
  registries: ReadonlySet<string>;
  /** True when a tag counts as a release (TAG_PATTERN). */
  matchesTagPattern: (tag: string) => boolean;
}

/** Whether a reference is looked up in a registry, and if not, why. */
export type TrackingVerdict =
  | { tracked: true; registry: string; repository: string }
  | { tracked: false; reason: string };

export function classifyReference(_reference: ParsedImageReference, _rules: TrackingRules): TrackingVerdict {
  throw new Error('not implemented yet');
}

export interface DriftInput {
  reference: ParsedImageReference;
  /** Digest the pods actually run (from status.imageID), when known. */
  runningDigest?: string;
  lookup: RegistryLookupResult;
  now: Date;
  gracePeriodMs: number;
}

export interface DriftDecision {
  status: FindingStatus;
  reason?: string;
  newest?: TagInfo;
}

export function decideDrift(_input: DriftInput): DriftDecision {
  throw new Error('not implemented yet');
}
