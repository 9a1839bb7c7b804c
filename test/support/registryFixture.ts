/**
 * The registry tests' fixture: the managed-identity endpoint (in this process's environment, as
 * `ManagedIdentityCredential` reads it) and an ACR emulator that accepts the identity's ACR
 * tokens, and a RegistryTagLookup against it with the product's defaults unless told otherwise.
 */
import { ManagedIdentityCredential } from '@azure/identity';
import { startAcrRegistry, type AcrRegistryEmulator, type AcrRegistryOptions } from '../../emulators/acrRegistry.js';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ACR_RESOURCE } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { silentLogger } from '../../src/log/logger.js';
import { RegistryTagLookup, type RegistryTagLookupOptions } from '../../src/registry/acrTagLookup.js';

export interface RegistryFixture {
  identity: ManagedIdentityEndpoint;
  registry: AcrRegistryEmulator;
  /** Another registry on the same identity (its own emulator, closed with the fixture). */
  startRegistry(options: Omit<AcrRegistryOptions, 'pki' | 'validateEntraToken'> & { validateEntraToken?: (token: string) => boolean }): Promise<AcrRegistryEmulator>;
  close(): Promise<void>;
}

export async function startRegistryFixture(repositories: AcrRegistryOptions['repositories']): Promise<RegistryFixture> {
  const savedEnv = { ...process.env };
  const identity = await startManagedIdentityEndpoint();
  Object.assign(process.env, identity.env);
  const validateEntraToken = (token: string): boolean => identity.validate(token, ACR_RESOURCE);
  const registry = await startAcrRegistry({ pki: ensureTestPki(), validateEntraToken, repositories });
  const others: AcrRegistryEmulator[] = [];
  return {
    identity,
    registry,
    async startRegistry(options) {
      const other = await startAcrRegistry({ pki: ensureTestPki(), validateEntraToken, ...options });
      others.push(other);
      return other;
    },
    async close() {
      process.env = savedEnv;
      await Promise.all([registry.close(), ...others.map((o) => o.close())]);
      await identity.close();
    },
  };
}

/** A lookup of `registry` with the product's defaults (TAG_PATTERN prod-*, ACR_CONCURRENCY 8) unless overridden. */
export function registryLookup(registry: AcrRegistryEmulator, options: Partial<RegistryTagLookupOptions> = {}): RegistryTagLookup {
  return new RegistryTagLookup({
    credential: new ManagedIdentityCredential(),
    registries: [registry.loginServer],
    tagPattern: 'prod-*',
    maxResults: 100,
    concurrency: 8,
    logger: silentLogger,
    ...options,
  });
}
