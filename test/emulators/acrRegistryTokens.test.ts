/** The ACR emulator's token exchange, access tokens and challenges, through the real SDK and raw requests. */
import { afterEach, describe, expect, it } from 'vitest';
import { client, closeSampleRegistries, decodeJwtPayload, fakeCredential, form, GOOD_ENTRA_TOKEN, raw, startSampleRegistry } from '../support/acrEmulatorClient.js';

afterEach(closeSampleRegistries);

describe('ACR registry emulator tokens with the real @azure/container-registry SDK', () => {
  it('rejects a bad Entra token at the exchange and the SDK surfaces the error', async () => {
    const reg = await startSampleRegistry();
    const c = client(reg, fakeCredential('stolen-or-expired'));
    await expect(c.getArtifact('web', 'latest').getTagProperties('latest')).rejects.toMatchObject({ statusCode: 401 });
    const kinds = reg.requests.map((r) => `${r.kind}:${r.status}`);
    expect(kinds).toEqual(['challenge:401', 'exchange:401']);
  });

  it('exchanges once and fetches one access token per repository scope', async () => {
    const reg = await startSampleRegistry();
    const cred = fakeCredential();
    const c = client(reg, cred);
    await c.getArtifact('web', 'latest').getTagProperties('latest');
    await c.getArtifact('web', 'latest').getTagProperties('prod-2025.02.01');
    await c.getArtifact('team/app/api', 'v3').getTagProperties('v3');
    await c.getArtifact('web', 'latest').getTagProperties('latest');
    expect(reg.stats().exchange).toBe(1);
    expect(cred.calls).toBe(1);
    // A token for "web" does not open "team/app/api" (and vice versa): each switch is a challenge.
    expect(reg.requests.map((r) => `${r.kind}:${r.status}`)).toEqual([
      'challenge:401', 'exchange:200', 'token:200', 'tag:200',
      'tag:200',
      'challenge:401', 'token:200', 'tag:200',
      'challenge:401', 'token:200', 'tag:200',
    ]);
    const challenges = reg.requests.filter((r) => r.kind === 'challenge').map((r) => r.path);
    expect(challenges).toEqual(['/acr/v1/web/_tags/latest', '/acr/v1/team%2Fapp%2Fapi/_tags/v3', '/acr/v1/web/_tags/latest']);
  });

  it('issues a challenge naming the repository, with realm and service of this registry', async () => {
    const reg = await startSampleRegistry();
    const res = await raw(reg, 'GET', '/acr/v1/team%2Fapp%2Fapi/_tags?orderby=timedesc');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="https://${reg.loginServer}/oauth2/token",service="${reg.loginServer}",scope="repository:team/app/api:metadata_read"`,
    );
    expect(res.json).toMatchObject({ errors: [{ code: 'UNAUTHORIZED' }] });
  });

  it('verifies signature, expiry, token type and service of the tokens it issued', async () => {
    // exp is whole seconds, so a 2 s lifetime leaves the token valid for 1 to 2 s after issue.
    const reg = await startSampleRegistry({ accessTokenLifetimeSeconds: 2 });
    const ex = await raw(reg, 'POST', '/oauth2/exchange', form({ grant_type: 'access_token', service: reg.loginServer, access_token: GOOD_ENTRA_TOKEN, tenant: 't1' }));
    expect(ex.status).toBe(200);
    const refresh = (ex.json as { refresh_token: string }).refresh_token;
    const refreshClaims = decodeJwtPayload(refresh);
    expect(typeof refreshClaims.exp).toBe('number');
    expect(refreshClaims.exp as number).toBeGreaterThan(Date.now() / 1000 + 3600);

    // Refresh token for the wrong service, or a tampered one, is refused.
    const wrongService = await raw(reg, 'POST', '/oauth2/token', form({ grant_type: 'refresh_token', service: 'other.azurecr.io', scope: 'repository:web:metadata_read', refresh_token: refresh }));
    expect(wrongService.status).toBe(401);
    const [h, p] = refresh.split('.');
    const forged = `${h}.${p}.${Buffer.from('not-the-signature').toString('base64url')}`;
    const forgedRes = await raw(reg, 'POST', '/oauth2/token', form({ grant_type: 'refresh_token', service: reg.loginServer, scope: 'repository:web:metadata_read', refresh_token: forged }));
    expect(forgedRes.status).toBe(401);

    const tok = await raw(reg, 'POST', '/oauth2/token', form({ grant_type: 'refresh_token', service: reg.loginServer, scope: 'repository:web:metadata_read', refresh_token: refresh }));
    expect(tok.status).toBe(200);
    const access = (tok.json as { access_token: string }).access_token;
    expect(decodeJwtPayload(access).access).toEqual([{ type: 'repository', name: 'web', actions: ['metadata_read'] }]);
    // An access token cannot be used as a refresh token.
    const swapped = await raw(reg, 'POST', '/oauth2/token', form({ grant_type: 'refresh_token', service: reg.loginServer, scope: 'repository:web:metadata_read', refresh_token: access }));
    expect(swapped.status).toBe(401);
    // A refresh token is not an access token.
    expect((await raw(reg, 'GET', '/acr/v1/web/_tags', { headers: { authorization: `Bearer ${refresh}` } })).status).toBe(401);

    expect((await raw(reg, 'GET', '/acr/v1/web/_tags', { headers: { authorization: `Bearer ${access}` } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    const expired = await raw(reg, 'GET', '/acr/v1/web/_tags', { headers: { authorization: `Bearer ${access}` } });
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toContain('scope="repository:web:metadata_read"');
  });

  it('lets the SDK recover from an expired access token with its cached refresh token', async () => {
    const reg = await startSampleRegistry({ accessTokenLifetimeSeconds: 2 });
    const c = client(reg);
    await c.getArtifact('web', 'latest').getTagProperties('latest');
    await new Promise((r) => setTimeout(r, 3100));
    await c.getArtifact('web', 'latest').getTagProperties('latest');
    expect(reg.stats()).toMatchObject({ exchange: 1, token: 2, challenge: 2, tag: 2 });
  });
});
