import { describe, expect, it } from 'vitest';
import { identityOf, jwtExpiry } from '../../src/registry/jwtClaims.js';

describe('token helpers', () => {
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('reads the expiry of a JWT', () => {
    expect(jwtExpiry(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(jwtExpiry(jwt({ exp: '1800000000' }))).toBe(1_800_000_000_000);
    expect(jwtExpiry(jwt({}))).toBeUndefined();
    expect(jwtExpiry('opaque')).toBeUndefined();
  });

  it('names the identity of an Entra token by tenant and object id, or by a digest of an opaque token', () => {
    expect(identityOf(jwt({ oid: 'o-1', tid: 't-1' }))).toBe('oid:t-1/o-1');
    expect(identityOf('mi.opaque')).toMatch(/^token:/);
    expect(identityOf('mi.opaque')).toBe(identityOf('mi.opaque'));
    expect(identityOf('mi.other')).not.toBe(identityOf('mi.opaque'));
  });
});
