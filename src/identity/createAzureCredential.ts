import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { Config } from '../config/config.js';
import { cancellableTokenRequests, identityHttpClient, tokenRequestsWithin } from './identityRequests.js';
import { sharedTokenCredential } from './sharedTokenCredential.js';

/**
 * `DefaultAzureCredential`: managed identity when deployed (client id from AZURE_CLIENT_ID),
 * `az login` locally; one request per scope at a time. Each of its HTTP requests has a timeout
 * and ends with the token request it serves (identityRequests.ts); with `lifetime`, every token
 * request ends when it aborts.
 */
export function createAzureCredential(config: Pick<Config, 'azureClientId'>, lifetime?: AbortSignal): TokenCredential {
  const identity = new DefaultAzureCredential({
    httpClient: identityHttpClient(),
    ...(config.azureClientId ? { managedIdentityClientId: config.azureClientId } : {}),
  });
  const shared = sharedTokenCredential(cancellableTokenRequests(identity));
  return lifetime ? tokenRequestsWithin(shared, lifetime) : shared;
}
