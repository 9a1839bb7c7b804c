/** The registry's answer for one repository: its newest tag matching the tracked pattern. */

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
