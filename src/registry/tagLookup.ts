import type { PlatformManifestsResult, RegistryLookupResult } from '../model/registry.js';

/** What the scan needs from the registry side (RegistryTagLookup implements it). */
export interface TagLookup {
  /** Called when the scan starts: anything that needs no repository can be fetched now. */
  prepare?(): void;
  /** The newest tag of the repository matching `tagPattern` (the lookup's TAG_PATTERN when not given). */
  newestMatchingTag(registry: string, repository: string, tagPattern?: string): Promise<RegistryLookupResult>;
  platformManifests(registry: string, repository: string, indexDigest: string): Promise<PlatformManifestsResult>;
}
