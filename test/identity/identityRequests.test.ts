/**
 * The identity's own HTTP requests end when the token request they serve is cancelled, or when
 * the credential's lifetime ends, against a managed-identity endpoint that accepts requests and
 * never answers: the production credential (`createAzureCredential`) through the real
 * `@azure/identity` and MSAL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { createAzureCredential } from '../../src/identity/createAzureCredential.js';

let identity: ManagedIdentityEndpoint;
const savedEnv = { ...process.env };

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint({ hang: true });
  Object.assign(process.env, identity.env);
});
afterAll(async () => {
  process.env = savedEnv;
  await identity?.close();
});

describe('token requests to an identity endpoint that never answers', () => {
  it('end, and close their connection, when the caller stops waiting', async () => {
    const closedBefore = identity.open.closedCount;
    const credential = createAzureCredential({ azureClientId: undefined });
    const caller = new AbortController();
    const token = credential.getToken('https://management.example/.default', { abortSignal: caller.signal });
    await expect.poll(() => identity.open.count, { timeout: 10_000 }).toBe(1);
    caller.abort(new Error('the cluster budget is over'));
    await expect(token).rejects.toThrow('the cluster budget is over');
    await expect.poll(() => identity.open.closedCount, { timeout: 10_000 }).toBe(closedBefore + 1);
    expect(identity.open.count).toBe(0);
  });

  it('end when the credential\'s lifetime ends, even for a caller without a signal', async () => {
    const closedBefore = identity.open.closedCount;
    const lifetime = new AbortController();
    const credential = createAzureCredential({ azureClientId: undefined }, lifetime.signal);
    const token = credential.getToken('https://containerregistry.example/.default');
    token.catch(() => undefined);
    await expect.poll(() => identity.open.count, { timeout: 10_000 }).toBe(1);
    lifetime.abort();
    await expect(token).rejects.toThrow();
    await expect.poll(() => identity.open.closedCount, { timeout: 10_000 }).toBe(closedBefore + 1);
    expect(identity.open.count).toBe(0);
  });
});
