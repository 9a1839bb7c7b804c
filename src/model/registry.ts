/** The registry's answers: for one repository, its newest tag matching the tracked pattern; for one index, its platform manifests. */

/** A tag as ACR lists it; only the fields the lookup reads. */
export interface TagInfo {
  name: string;
  digest: string;
  lastUpdatedOn: Date;
}

export type RegistryLookupResult =
  | { kind: 'found'; newest: TagInfo; examined: number }
  /** The repository exists but none of the newest `examined` tags match the pattern. */
  | { kind: 'no-match'; examined: number }
  | { kind: 'unknown-repository' }
  | { kind: 'error'; reason: string };

/**
 * The platform manifests a multi-arch index references, or why they could not be read: the
 * scan then cannot tell whether the pods run the newest image, and says so (`error`).
 */
export type PlatformManifestsResult = { kind: 'ok'; digests: string[] } | { kind: 'error'; reason: string };
