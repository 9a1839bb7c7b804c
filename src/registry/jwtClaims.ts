/**
 * What the provider reads from the tokens it holds, without verifying them (the issuer does
 * that): an ACR token's expiry, and whose Entra token it is, so that tokens kept for the
 * process are never handed to another identity.
 */
import { createHash } from 'node:crypto';

/** The claims of a JWT's payload, or undefined for a token that is not a JWT. */
function claimsOf(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` claim of a JWT in milliseconds, or undefined when it has none. */
export function jwtExpiry(token: string): number | undefined {
  const claims = claimsOf(token);
  const exp = typeof claims?.exp === 'string' ? Number.parseInt(claims.exp, 10) : claims?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** Whose Entra token this is: its `oid` claim, else (an opaque token) a digest of the token. */
export function identityOf(entraToken: string): string {
  const claims = claimsOf(entraToken);
  if (typeof claims?.oid === 'string' && claims.oid) return `oid:${String(claims.tid ?? '')}/${claims.oid}`;
  return `token:${createHash('sha256').update(entraToken).digest('base64url')}`;
}
