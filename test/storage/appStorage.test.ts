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
});
