/** Azurite for one test file: started before its tests, stopped after them. */
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type Azurite, type AzuriteService } from '../../emulators/azurite.js';

/** The file's Azurite, available inside its tests. */
export function useAzurite(services: AzuriteService[] = ['table']): () => Azurite {
  let azurite: Azurite | undefined;
  beforeAll(async () => {
    azurite = await startAzurite({ services });
  });
  afterAll(async () => {
    await azurite?.close();
  });
  return () => {
    if (!azurite) throw new Error('Azurite is not running: use it inside a test');
    return azurite;
  };
}
