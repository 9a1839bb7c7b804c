/**
 * The Functions host's settings for the app's own storage account, one row each, as this app reads
 * them (storage/appStorage.ts finds the account the way the host does). They are the host's, not
 * ours, so they are not in CONFIG_VARIABLES, which the Bicep checks compare with the app settings.
 * A row's parser throws `InvalidSetting`; its messages never show AzureWebJobsStorage, which holds
 * a key.
 */
import { InvalidSetting } from './invalidSetting.js';
import { settingText } from './settings.js';

/** The services of a storage account, each with its own endpoint. */
export type StorageAccountService = 'blob' | 'queue' | 'table' | 'file';

/**
 * Only for an account given by name alone: the public cloud's endpoint suffix. infra/ sets the
 * service URIs from the account's own primaryEndpoints, which is what sovereign clouds need.
 */
export const PUBLIC_CLOUD_STORAGE_SUFFIX = 'core.windows.net';

/** A connection string names an account, the emulator, or the endpoint of the service it is for. */
function connectionString(value: string, service: StorageAccountService): string {
  const endpointKey = `${service === 'table' ? 'Table' : 'Queue'}Endpoint=`;
  if (!new RegExp(`AccountName=|UseDevelopmentStorage=true|${endpointKey}`, 'i').test(value)) {
    throw new InvalidSetting(
      'is set but is not a storage connection string (value not shown: it holds a key); for the managed identity, remove it and set AzureWebJobsStorage__accountName',
    );
  }
  return value;
}

/** A service's endpoint: https only, since managed identity tokens go there. */
function serviceUri(service: StorageAccountService): (value: string) => URL {
  return (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidSetting(`"${value}" is not a URL (e.g. https://mystorage.${service}.${PUBLIC_CLOUD_STORAGE_SUFFIX})`);
    }
    if (url.protocol !== 'https:') throw new InvalidSetting(`"${value}" must use https:// (managed identity tokens are only sent over TLS)`);
    return url;
  };
}

function accountName(value: string): string {
  if (!/^[a-z0-9]{3,24}$/.test(value)) throw new InvalidSetting(`"${value}" is not a storage account name (3-24 lowercase letters and digits)`);
  return value;
}

/** The table. A parser gets the service the account is wanted for, which only the connection string's check needs. */
export const HOST_STORAGE_SETTINGS = {
  AzureWebJobsStorage: { parse: connectionString },
  AzureWebJobsStorage__blobServiceUri: { parse: serviceUri('blob') },
  AzureWebJobsStorage__queueServiceUri: { parse: serviceUri('queue') },
  AzureWebJobsStorage__tableServiceUri: { parse: serviceUri('table') },
  AzureWebJobsStorage__fileServiceUri: { parse: serviceUri('file') },
  AzureWebJobsStorage__accountName: { parse: accountName },
  // The user-assigned identity's client ID, taken as given (the host does the same).
  AzureWebJobsStorage__clientId: { parse: (value: string) => value },
} as const satisfies Record<string, { parse: (value: string, service: StorageAccountService) => unknown }>;

export type HostStorageSetting = keyof typeof HOST_STORAGE_SETTINGS;

/** The setting `AzureWebJobsStorage__<service>ServiceUri`. */
export function serviceUriSetting<S extends StorageAccountService>(service: S): `AzureWebJobsStorage__${S}ServiceUri` {
  return `AzureWebJobsStorage__${service}ServiceUri`;
}

/** The value of `name` in `env` for `service`; `undefined` when unset or blank. Throws `InvalidSetting`. */
export function readHostStorageSetting<N extends HostStorageSetting>(
  env: Record<string, string | undefined>,
  name: N,
  service: StorageAccountService,
): ReturnType<(typeof HOST_STORAGE_SETTINGS)[N]['parse']> | undefined {
  const text = settingText(env[name]);
  return text === undefined ? undefined : (HOST_STORAGE_SETTINGS[name].parse(text, service) as ReturnType<(typeof HOST_STORAGE_SETTINGS)[N]['parse']>);
}
