/**
 * The function app's own storage account, found the way the Functions host finds it:
 * `AzureWebJobsStorage` (a connection string, e.g. Azurite), else the identity-based
 * `AzureWebJobsStorage__<service>ServiceUri` (what infra/ sets, right in every cloud) or
 * `AzureWebJobsStorage__accountName` (public cloud only), with
 * `DefaultAzureCredential` (client id from `AzureWebJobsStorage__clientId` or AZURE_CLIENT_ID).
 * Setting values never go into error messages: a connection string holds a key.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

export type StorageService = 'table' | 'queue';

const SERVICES = ['blob', 'queue', 'table', 'file'] as const;

/**
 * Only for an account given by name alone: the public cloud's endpoint suffix. infra/ sets the
 * service URIs from the account's own primaryEndpoints, which is what sovereign clouds need.
 */
export const PUBLIC_CLOUD_STORAGE_SUFFIX = 'core.windows.net';

const SERVICE_HOST = /^([a-z0-9]{3,24})\.(?:blob|queue|table|file)\.(.+)$/;

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
  const serviceUrl = serviceUrlOf(value, service, purpose);
  const clientId = value('AzureWebJobsStorage__clientId') ?? value('AZURE_CLIENT_ID');
  const credential = options.credential ?? new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  return { serviceUrl, credential };
}

function httpsUrl(setting: string, raw: string, service: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppStorageConfigError(`${setting} "${raw}" is not a URL (e.g. https://mystorage.${service}.${PUBLIC_CLOUD_STORAGE_SUFFIX})`);
  }
  if (url.protocol !== 'https:') {
    throw new AppStorageConfigError(`${setting} "${raw}" must use https:// (managed identity tokens are only sent over TLS)`);
  }
  return url;
}

/**
 * The service's endpoint, in order: its own `__<service>ServiceUri`; the same account and cloud as
 * another service's URI (the host sets blob and queue, the code also needs table); the account name
 * with the public cloud's suffix.
 */
function serviceUrlOf(value: (name: string) => string | undefined, service: StorageService, purpose: string): string {
  const own = `AzureWebJobsStorage__${service}ServiceUri`;
  const ownUri = value(own);
  if (ownUri !== undefined) return httpsUrl(own, ownUri, service).href.replace(/\/+$/, '');
  for (const other of SERVICES) {
    const setting = `AzureWebJobsStorage__${other}ServiceUri`;
    const raw = value(setting);
    if (raw === undefined) continue;
    const host = SERVICE_HOST.exec(httpsUrl(setting, raw, other).hostname);
    if (host) return `https://${host[1]}.${service}.${host[2]}`;
  }
  const accountName = value('AzureWebJobsStorage__accountName');
  if (accountName !== undefined) {
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
      throw new AppStorageConfigError(`AzureWebJobsStorage__accountName "${accountName}" is not a storage account name (3-24 lowercase letters and digits)`);
    }
    return `https://${accountName}.${service}.${PUBLIC_CLOUD_STORAGE_SUFFIX}`;
  }
  throw new AppStorageConfigError(
    `${purpose} needs the app's storage account: set AzureWebJobsStorage__${service}ServiceUri (managed identity; any cloud), AzureWebJobsStorage__accountName (managed identity; public cloud) or AzureWebJobsStorage (a connection string, e.g. Azurite)`,
  );
}
