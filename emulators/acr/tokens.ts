/**
 * The ACR emulator's tokens: refresh and access tokens are HS256 JWTs with `exp`, signed by a
 * secret only this emulator knows; an access token's `access` claim lists the repository scopes
 * it grants.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export type Claims = Record<string, unknown>;

export interface RepositoryScope {
  type: string;
  name: string;
  actions: string[];
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** `repository:team/app/api:metadata_read,pull ...` (space-separated; a name itself has no colons). */
export function parseScopes(scope: string): RepositoryScope[] {
  const out: RepositoryScope[] = [];
  for (const part of scope.split(' ').filter(Boolean)) {
    const first = part.indexOf(':');
    const last = part.lastIndexOf(':');
    if (first < 0 || last <= first) continue;
    out.push({ type: part.slice(0, first), name: part.slice(first + 1, last), actions: part.slice(last + 1).split(',').filter(Boolean) });
  }
  return out;
}

/** Whether an access token's claims grant `action` on `repo`. */
export function tokenCovers(claims: Claims, repo: string, action: string): boolean {
  if (claims.typ !== 'access' || !Array.isArray(claims.access)) return false;
  return claims.access.some((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const e = entry as { type?: unknown; name?: unknown; actions?: unknown };
    return e.type === 'repository' && e.name === repo && Array.isArray(e.actions) && (e.actions.includes(action) || e.actions.includes('*'));
  });
}

export class AcrTokenIssuer {
  private readonly secret = randomBytes(32);

  /** `audience` is the login server, known only once the emulator listens. */
  constructor(
    private readonly audience: () => string,
    private readonly lifetimes: { accessSeconds: number; refreshSeconds: number },
  ) {}

  /** A refresh token for the Entra principal, as `/oauth2/exchange` issues it. */
  issueRefreshToken(tenant: string | undefined): string {
    const now = Math.floor(Date.now() / 1000);
    return this.sign({
      jti: randomUUID(),
      sub: 'entra-principal',
      nbf: now,
      iat: now,
      exp: now + this.lifetimes.refreshSeconds,
      iss: 'Azure Container Registry',
      aud: this.audience(),
      version: '1.0',
      grant_type: 'refresh_token',
      typ: 'refresh',
      tenant,
    });
  }

  /** An access token granting `access`, as `/oauth2/token` issues it. */
  issueAccessToken(subject: unknown, access: RepositoryScope[]): string {
    const now = Math.floor(Date.now() / 1000);
    return this.sign({
      jti: randomUUID(),
      sub: subject,
      nbf: now,
      iat: now,
      exp: now + this.lifetimes.accessSeconds,
      iss: 'Azure Container Registry',
      aud: this.audience(),
      version: '1.0',
      typ: 'access',
      access,
    });
  }

  /** The claims when signature, expiry and audience are good, else undefined. */
  verify(token: string): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, sig] = parts as [string, string, string];
    const expected = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const c = parseClaims(payload);
    if (!c) return undefined;
    if (typeof c.exp !== 'number' || c.exp * 1000 <= Date.now()) return undefined;
    if (c.aud !== this.audience()) return undefined;
    return c;
  }

  private sign(claims: Claims): string {
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'acr-emulator' }));
    const payload = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  }
}

function parseClaims(payload: string): Claims | undefined {
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof claims === 'object' && claims !== null ? (claims as Claims) : undefined;
}
