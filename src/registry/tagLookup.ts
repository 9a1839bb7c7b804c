import type { PlatformManifestsResult, RegistryLookupResult } from '../model/registry.js';

/** What the scan needs from the registry side (RegistryTagLookup implements it). */
export interface TagLookup {
  /** Called when the scan starts: anything that needs no repository can be fetched now. */
  prepare?(): void;
  newestMatchingTag(registry: string, repository: string): Promise<RegistryLookupResult>;
  platformManifests(registry: string, repository: string, indexDigest: string): Promise<PlatformManifestsResult>;
}
