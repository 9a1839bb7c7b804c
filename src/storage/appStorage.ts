/**
 * The function app's own storage account, found the way the Functions host finds it:
 * `AzureWebJobsStorage` (a connection string, e.g. Azurite), else the identity-based
 * `AzureWebJobsStorage__<service>ServiceUri` (what infra/ sets, right in every cloud) or
 * `AzureWebJobsStorage__accountName` (public cloud only), with
 * `DefaultAzureCredential` (client id from `AzureWebJobsStorage__clientId` or AZURE_CLIENT_ID).
 * The settings are read by their rows (config/hostStorageSettings.ts), which never quote the
 * connection string: it holds a key.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  PUBLIC_CLOUD_STORAGE_SUFFIX,
  readHostStorageSetting,
  serviceUriSetting,
  type HostStorageSetting,
  type StorageAccountService,
} from '../config/hostStorageSettings.js';
import { InvalidSetting } from '../config/invalidSetting.js';
import { settingText } from '../config/settings.js';

export { PUBLIC_CLOUD_STORAGE_SUFFIX } from '../config/hostStorageSettings.js';

export type StorageService = 'table' | 'queue';

const SERVICES = ['blob', 'queue', 'table', 'file'] as const satisfies readonly StorageAccountService[];

const SERVICE_HOST = /^([a-z0-9]{3,24})\.(?:blob|queue|table|file)\.(.+)$/;

export type AppStorage = { connectionString: string } | { serviceUrl: string; credential: TokenCredential };

/** Thrown when the environment names no usable storage account. */
export class AppStorageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppStorageConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** A host storage setting's value for `service`, or undefined when unset; a bad value is an `AppStorageConfigError` naming it. */
function setting<N extends HostStorageSetting>(env: Env, name: N, service: StorageService) {
  try {
    return readHostStorageSetting(env, name, service);
  } catch (error) {
    if (error instanceof InvalidSetting) throw new AppStorageConfigError(`${name} ${error.message}`);
    throw error;
  }
}

/**
 * @param purpose what needs the account, for the message when none is configured
 *   (e.g. `alert state`).
 */
export function resolveAppStorage(env: Env, service: StorageService, purpose: string, options: { credential?: TokenCredential } = {}): AppStorage {
  const connectionString = setting(env, 'AzureWebJobsStorage', service);
  if (connectionString !== undefined) return { connectionString };
  const serviceUrl = serviceUrlOf(env, service, purpose);
  // AZURE_CLIENT_ID is taken as given, as before: loadConfig has checked it by then.
  const clientId = setting(env, 'AzureWebJobsStorage__clientId', service) ?? settingText(env.AZURE_CLIENT_ID);
  const credential = options.credential ?? new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  return { serviceUrl, credential };
}

/**
 * The service's endpoint, in order: its own `__<service>ServiceUri`; the same account and cloud as
 * another service's URI (the host sets blob and queue, the code also needs table); the account name
 * with the public cloud's suffix.
 */
function serviceUrlOf(env: Env, service: StorageService, purpose: string): string {
  const own = setting(env, serviceUriSetting(service), service);
  if (own !== undefined) return own.href.replace(/\/+$/, '');
  for (const other of SERVICES) {
    const url = setting(env, serviceUriSetting(other), service);
    const host = url === undefined ? null : SERVICE_HOST.exec(url.hostname);
    if (host) return `https://${host[1]}.${service}.${host[2]}`;
  }
  const accountName = setting(env, 'AzureWebJobsStorage__accountName', service);
  if (accountName !== undefined) return `https://${accountName}.${service}.${PUBLIC_CLOUD_STORAGE_SUFFIX}`;
  throw new AppStorageConfigError(
    `${purpose} needs the app's storage account: set AzureWebJobsStorage__${service}ServiceUri (managed identity; any cloud), AzureWebJobsStorage__accountName (managed identity; public cloud) or AzureWebJobsStorage (a connection string, e.g. Azurite)`,
  );
}
