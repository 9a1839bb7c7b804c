/**
 * Which endpoint the app's own storage is reached at: the service URIs infra/ sets (right in every
 * cloud) win over the account name, whose public-cloud suffix is only a fallback.
 */
import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { AppStorageConfigError, PUBLIC_CLOUD_STORAGE_SUFFIX, resolveAppStorage } from '../../src/storage/appStorage.js';

const credential: TokenCredential = { getToken: () => Promise.resolve(null) };

function url(env: Record<string, string>, service: 'table' | 'queue'): string {
  const storage = resolveAppStorage(env, service, 'alert state', { credential });
  if (!('serviceUrl' in storage)) throw new Error('expected an identity-based endpoint');
  return storage.serviceUrl;
}

describe('resolveAppStorage', () => {
  it('uses the service URI as given, with no public-cloud host, even beside the account name', () => {
    const env = {
      AzureWebJobsStorage__accountName: 'stacrsync',
      AzureWebJobsStorage__tableServiceUri: 'https://stacrsync.table.core.usgovcloudapi.net/',
      AzureWebJobsStorage__queueServiceUri: 'https://stacrsync.queue.core.usgovcloudapi.net/',
    };
    expect(url(env, 'table')).toBe('https://stacrsync.table.core.usgovcloudapi.net');
    expect(url(env, 'queue')).toBe('https://stacrsync.queue.core.usgovcloudapi.net');
  });

  it('derives a missing service from another service URI of the same account and cloud, not from the public suffix', () => {
    const env = { AzureWebJobsStorage__accountName: 'stacrsync', AzureWebJobsStorage__blobServiceUri: 'https://stacrsync.blob.core.chinacloudapi.cn/' };
    expect(url(env, 'table')).toBe('https://stacrsync.table.core.chinacloudapi.cn');
    expect(url(env, 'queue')).toBe('https://stacrsync.queue.core.chinacloudapi.cn');
  });

  it('falls back to the public cloud for an account given by name alone', () => {
    expect(url({ AzureWebJobsStorage__accountName: 'stacrsync' }, 'table')).toBe(`https://stacrsync.table.${PUBLIC_CLOUD_STORAGE_SUFFIX}`);
  });

  it('names the settings that would work when none is set, and refuses plain http', () => {
    expect(() => url({}, 'table')).toThrow(AppStorageConfigError);
    expect(() => url({}, 'table')).toThrow(/AzureWebJobsStorage__tableServiceUri .*any cloud.*AzureWebJobsStorage__accountName/);
    expect(() => url({ AzureWebJobsStorage__blobServiceUri: 'http://stacrsync.blob.core.windows.net/' }, 'table')).toThrow(
      /AzureWebJobsStorage__blobServiceUri .* must use https/,
    );
  });

  it('names the setting that is wrong, with its value unless it is the connection string', () => {
    expect(() => url({ AzureWebJobsStorage__accountName: 'St_Acr' }, 'table')).toThrow(
      'AzureWebJobsStorage__accountName "St_Acr" is not a storage account name (3-24 lowercase letters and digits)',
    );
    expect(() => url({ AzureWebJobsStorage__fileServiceUri: 'stacrsync.file' }, 'queue')).toThrow(
      'AzureWebJobsStorage__fileServiceUri "stacrsync.file" is not a URL (e.g. https://mystorage.file.core.windows.net)',
    );
    const key = 'AccountKey=s3cr3t';
    expect(() => resolveAppStorage({ AzureWebJobsStorage: key }, 'queue', 'SCAN_FANOUT=queue', { credential })).toThrow(
      /^AzureWebJobsStorage is set but is not a storage connection string \(value not shown: it holds a key\)/,
    );
    expect(() => resolveAppStorage({ AzureWebJobsStorage: key }, 'queue', 'SCAN_FANOUT=queue', { credential })).not.toThrow(/s3cr3t/);
  });

  it("takes a connection string that names the wanted service's endpoint, not another's", () => {
    const queueOnly = 'QueueEndpoint=https://stacrsync.queue.core.windows.net/;SharedAccessSignature=sig';
    expect(resolveAppStorage({ AzureWebJobsStorage: ` ${queueOnly} ` }, 'queue', 'SCAN_FANOUT=queue', { credential })).toEqual({ connectionString: queueOnly });
    expect(() => resolveAppStorage({ AzureWebJobsStorage: queueOnly }, 'table', 'alert state', { credential })).toThrow(AppStorageConfigError);
  });

  it('derives an endpoint from the file service URI too, and ignores blank settings', () => {
    expect(url({ AzureWebJobsStorage__tableServiceUri: '  ', AzureWebJobsStorage__fileServiceUri: 'https://stacrsync.file.core.usgovcloudapi.net' }, 'table')).toBe(
      'https://stacrsync.table.core.usgovcloudapi.net',
    );
  });
});
