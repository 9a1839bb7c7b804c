/** How a digest is shown in reasons and messages: enough of it to tell two apart. */

/** `sha256:0123456789ab` — the algorithm and the first 12 characters of the hex. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon === -1 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}

/** The short form of a digest in messages (`sha256:0123456789ab`), or `unknown digest`. */
export function shortDigestOrUnknown(digest: string | null): string {
  return digest ? shortDigest(digest) : 'unknown digest';
}
