import { describe, expect, it } from 'vitest';
import { ACR_LOGIN_SERVER_SUFFIXES, isAcrLoginServer, isAcrLoginServerWithPort } from '../../src/images/acrLoginServers.js';

describe('isAcrLoginServer', () => {
  it.each([
    'myacr.azurecr.io',
    'MyAcr.AzureCR.IO',
    'abcde.azurecr.io', // the shortest registry name: 5
    `${'a'.repeat(50)}.azurecr.io`, // the longest: 50
    'myregistry-abh4ghdfbzhvg5e7.azurecr.io', // a domain-name-label scoped registry
    'chinaacr.azurecr.cn',
    'govacr.azurecr.us',
    'airgapacr.azurecr.eaglex.ic.gov',
    'secretacr.azurecr.microsoft.scloud',
  ])('%s is an ACR login server', (host) => {
    expect(isAcrLoginServer(host)).toBe(true);
  });

  it.each([
    'acr.azurecr.io', // too short for a registry name
    `${'a'.repeat(51)}.azurecr.io`,
    'my_acr.azurecr.io',
    'my.acr.azurecr.io',
    'myacr-.azurecr.io',
    'myacr-a-b.azurecr.io',
    'azurecr.io',
    '.azurecr.io',
    'myacr.azurecr.io.example.com',
    'myacr.azurecr.io.',
    'myacrazurecr.io',
    'myacr.azurecr.com',
    'myacr.azurecr.io:443', // takes a host without its port
    'evil.example.com/x.azurecr.io',
    'localhost',
    '127.0.0.1',
    '',
  ])('%j is not', (host) => {
    expect(isAcrLoginServer(host)).toBe(false);
  });

  it('knows the public and the sovereign clouds', () => {
    expect(ACR_LOGIN_SERVER_SUFFIXES).toEqual(['.azurecr.io', '.azurecr.cn', '.azurecr.us', '.azurecr.eaglex.ic.gov', '.azurecr.microsoft.scloud']);
  });

  it('takes a login server with its port, as REGISTRIES lists it, when asked to', () => {
    expect(isAcrLoginServerWithPort('myacr.azurecr.io:443')).toBe(true);
    expect(isAcrLoginServerWithPort('myacr.azurecr.io')).toBe(true);
    expect(isAcrLoginServerWithPort('127.0.0.1:8443')).toBe(false);
    expect(isAcrLoginServerWithPort('myacr.azurecr.io.example.com:443')).toBe(false);
  });
});
