/**
 * The function app's own storage account, found the way the Functions host finds it:
 * `AzureWebJobsStorage` (a connection string, e.g. Azurite), else the identity-based
 * `AzureWebJobsStorage__<service>ServiceUri` or `AzureWebJobsStorage__accountName`, with
 * `DefaultAzureCredential` (client id from `AzureWebJobsStorage__clientId` or AZURE_CLIENT_ID).
 * Setting values never go into error messages: a connection string holds a key.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

export type StorageService = 'table' | 'queue';

export type AppStorage = { connectionString: string } | { serviceUrl: string; credential: TokenCredential };

/** Thrown when the environment names no usable storage account. */
export class AppStorageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppStorageConfigError';
  }
}

/**
 * @param purpose what needs the account, for the message when none is configured
 *   (e.g. `alert state`).
 */
export function resolveAppStorage(
  env: Record<string, string | undefined>,
  service: StorageService,
  purpose: string,
  options: { credential?: TokenCredential } = {},
): AppStorage {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const endpointKey = `${service === 'table' ? 'Table' : 'Queue'}Endpoint=`;
  const connectionString = value('AzureWebJobsStorage');
  if (connectionString !== undefined) {
    if (!new RegExp(`AccountName=|UseDevelopmentStorage=true|${endpointKey}`, 'i').test(connectionString)) {
      throw new AppStorageConfigError(
        'AzureWebJobsStorage is set but is not a storage connection string (value not shown: it holds a key); for the managed identity, remove it and set AzureWebJobsStorage__accountName',
      );
    }
    return { connectionString };
  }
  const uriSetting = `AzureWebJobsStorage__${service}ServiceUri`;
  const serviceUri = value(uriSetting);
  const accountName = value('AzureWebJobsStorage__accountName');
  let serviceUrl: string;
  if (serviceUri !== undefined) {
    let url: URL;
    try {
      url = new URL(serviceUri);
    } catch {
      throw new AppStorageConfigError(`${uriSetting} "${serviceUri}" is not a URL (e.g. https://mystorage.${service}.core.windows.net)`);
    }
    if (url.protocol !== 'https:') {
      throw new AppStorageConfigError(`${uriSetting} "${serviceUri}" must use https:// (managed identity tokens are only sent over TLS)`);
    }
    serviceUrl = url.href.replace(/\/+$/, '');
  } else if (accountName !== undefined) {
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
      throw new AppStorageConfigError(`AzureWebJobsStorage__accountName "${accountName}" is not a storage account name (3-24 lowercase letters and digits)`);
    }
    serviceUrl = `https://${accountName}.${service}.core.windows.net`;
  } else {
    throw new AppStorageConfigError(
      `${purpose} needs the app's storage account: set AzureWebJobsStorage__accountName (managed identity) or AzureWebJobsStorage (a connection string, e.g. Azurite)`,
    );
  }
  const clientId = value('AzureWebJobsStorage__clientId') ?? value('AZURE_CLIENT_ID');
  const credential = options.credential ?? new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  return { serviceUrl, credential };
}
