import { describe, expect, it } from 'vitest';
import { AcrTokenCache } from '../../src/registry/acrTokenCache.js';

const MINUTE = 60_000;
const start = Date.parse('2026-11-01T00:00:00Z');
const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('the ACR token cache', () => {
  it('keeps tokens per registry and identity', () => {
    const cache = new AcrTokenCache();
    cache.of('myacr.azurecr.io', 'oid:t/a').keepAccessToken(['team/app'], 'opaque', start);
    expect(cache.of('myacr.azurecr.io', 'oid:t/a').accessToken('team/app', start)).toBe('opaque');
    expect(cache.of('myacr.azurecr.io', 'oid:t/b').accessToken('team/app', start)).toBeUndefined();
    expect(cache.of('other.azurecr.io', 'oid:t/a').accessToken('team/app', start)).toBeUndefined();
  });

  it('hands out an access token until five minutes before its expiry, ten minutes for one without', () => {
    const tokens = new AcrTokenCache().of('myacr.azurecr.io', 'oid:t/a');
    tokens.keepAccessToken(['team/a', 'team/b'], jwt({ exp: (start + 75 * MINUTE) / 1000 }), start);
    tokens.keepAccessToken(['team/c'], 'opaque', start);
    expect(tokens.accessToken('team/b', start + 69 * MINUTE)).toBeDefined();
    expect(tokens.accessToken('team/b', start + 70 * MINUTE)).toBeUndefined();
    expect(tokens.accessToken('team/c', start + 4 * MINUTE)).toBe('opaque');
    expect(tokens.accessToken('team/c', start + 5 * MINUTE)).toBeUndefined();
    tokens.forgetAccessToken('team/a');
    expect(tokens.accessToken('team/a', start)).toBeUndefined();
  });

  it('hands out the refresh token while it is fresh, and not once forgotten', () => {
    const tokens = new AcrTokenCache().of('myacr.azurecr.io', 'oid:t/a');
    tokens.keepRefreshToken({ token: 'refresh', expiresOnMs: start + 180 * MINUTE });
    expect(tokens.refreshToken(start + 174 * MINUTE)?.token).toBe('refresh');
    expect(tokens.refreshToken(start + 175 * MINUTE)).toBeUndefined();
    tokens.forgetRefreshToken();
    expect(tokens.refreshToken(start)).toBeUndefined();
  });
});
