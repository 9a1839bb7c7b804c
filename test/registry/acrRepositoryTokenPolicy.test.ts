import { describe, expect, it } from 'vitest';
import { repositoryOfPath } from '../../src/registry/acrRepositoryTokenPolicy.js';

describe('path helpers', () => {
  it('finds the repository of ACR data-plane paths, encoded or not', () => {
    expect(repositoryOfPath('/acr/v1/team%2Fapp%2Fapi/_tags')).toBe('team/app/api');
    expect(repositoryOfPath('/acr/v1/team/app/api/_tags')).toBe('team/app/api');
    expect(repositoryOfPath('/acr/v1/team%2Fapp/_tags/prod-1')).toBe('team/app');
    expect(repositoryOfPath('/acr/v1/team%2Fapp/_manifests/sha256%3Aabc')).toBe('team/app');
    expect(repositoryOfPath('/acr/v1/team%2Fapp')).toBe('team/app');
    expect(repositoryOfPath('/v2/team/app/manifests/prod-1')).toBe('team/app');
    expect(repositoryOfPath('/oauth2/token')).toBeUndefined();
    expect(repositoryOfPath('/acr/v1/_catalog')).toBeUndefined();
  });
});
