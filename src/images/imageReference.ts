/**
 * Container image references, parsed and normalised the way the container runtime
 * (containerd / docker distribution "reference" grammar) does it.
 */
import type { InvalidImageReference, ParsedImageReference } from '../model/image.js';
import { quoteValue } from '../util/text.js';

// ---------------------------------------------------------------------------------------------
// The grammar of github.com/distribution/reference (regexp.go), which containerd and the
// kubelet use. Kept as separate pieces so each part of a reference gets its own error message.
// ---------------------------------------------------------------------------------------------

/** Docker Hub's canonical domain; `index.docker.io` is its legacy alias. */
export const DOCKER_HUB_REGISTRY = 'docker.io';
const LEGACY_DOCKER_HUB_REGISTRY = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';

/** Longest `registry/repository` the grammar accepts. */
export const NAME_TOTAL_LENGTH_MAX = 255;
/** Longest tag the grammar accepts. */
export const TAG_LENGTH_MAX = 128;

const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const OPTIONAL_PORT = '(?::[0-9]+)?';
const DOMAIN_AND_PORT = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6_ADDRESS})${OPTIONAL_PORT}$`);

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]*$/;
/** The grammar's digest shape: `algorithm:hex` with at least 32 hex digits. */
const DIGEST_SHAPE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** Algorithms go-digest knows, with the length of their lowercase hex encoding. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const BARE_IMAGE_ID = /^[a-f0-9]{64}$/;

/**
 * True when `host` is a registry host as the grammar defines it: a DNS-like name, an IPv4
 * address or a bracketed IPv6 address, with an optional port.
 */
export function isValidRegistryHost(host: string): boolean {
  return DOMAIN_AND_PORT.test(host);
}

/** `undefined` when `digest` is a well-formed `sha256:`/`sha384:`/`sha512:` digest, else why not. */
export function digestError(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon <= 0 || colon === digest.length - 1) {
    return `digest ${quoteValue(digest)} must have the form algorithm:hex, e.g. sha256:<64 hex digits>`;
  }
  if (!DIGEST_SHAPE.test(digest)) return `digest ${quoteValue(digest)} is malformed; expected algorithm:hex, e.g. sha256:<64 hex digits>`;
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `unsupported digest algorithm ${quoteValue(algorithm)} (expected sha256, sha384 or sha512)`;
  if (encoded.length !== length) return `${algorithm} digest must have ${length} hex digits, got ${encoded.length}`;
  if (!/^[a-f0-9]+$/.test(encoded)) return `${algorithm} digest must use lowercase hex digits`;
  return undefined;
}

/** A step of the grammar: what it split off, or why the reference is invalid. */
type Step<T> = T | { error: string };

function failed<T extends object>(step: Step<T>): step is { error: string } {
  return 'error' in step;
}

/** The reference as a whole: not empty, no whitespace, not a bare image ID. */
function wholeReferenceError(reference: string): string | undefined {
  if (reference.length === 0) return 'image reference is empty';
  if (/\s/.test(reference)) return 'image reference must not contain whitespace';
  if (BARE_IMAGE_ID.test(reference)) return 'a 64-character hexadecimal image ID is not a repository name';
  return undefined;
}

/** `name[:tag][@digest]`: name, tag and digest never contain "@", so the first "@" starts the digest. */
function splitDigest(reference: string): Step<{ namePart: string; digest?: string }> {
  const at = reference.indexOf('@');
  if (at === -1) return { namePart: reference };
  const digest = reference.slice(at + 1);
  if (digest.length === 0) return { error: 'digest after "@" is empty' };
  if (digest.includes('@')) return { error: 'image reference has more than one "@"' };
  const problem = digestError(digest);
  return problem ? { error: problem } : { namePart: reference.slice(0, at), digest };
}

/**
 * distribution's `splitDockerDomain`: the part before the first "/" is the registry only when it
 * has "." or ":", is `localhost`, or has an uppercase letter; otherwise the image is on Docker Hub.
 */
function splitRegistry(namePart: string): Step<{ registry: string; remainder: string }> {
  const slash = namePart.indexOf('/');
  const first = slash === -1 ? '' : namePart.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    return { registry: DOCKER_HUB_REGISTRY, remainder: namePart };
  }
  if (!isValidRegistryHost(first)) return { error: `registry ${quoteValue(first)} is not a valid host[:port]` };
  const registry = first.toLowerCase();
  return { registry: registry === LEGACY_DOCKER_HUB_REGISTRY ? DOCKER_HUB_REGISTRY : registry, remainder: namePart.slice(slash + 1) };
}

/** `repository[:tag]`: path components never contain ":", so the first ":" after the registry starts the tag. */
function splitTag(remainder: string): { repository: string; tag?: string } {
  const colon = remainder.indexOf(':');
  return colon === -1 ? { repository: remainder } : { repository: remainder.slice(0, colon), tag: remainder.slice(colon + 1) };
}

/** The repository path, with Docker Hub's `library/` for official images; lowercase path components; a bounded name. */
function checkRepository(registry: string, path: string): Step<{ repository: string }> {
  if (path.length === 0) return { error: 'repository name is empty' };
  if (path.toLowerCase() !== path) return { error: `repository name ${quoteValue(path)} must be lowercase` };
  const repository = registry === DOCKER_HUB_REGISTRY && !path.includes('/') ? OFFICIAL_REPOSITORY_PREFIX + path : path;
  for (const component of repository.split('/')) {
    if (component.length === 0) return { error: `repository name ${quoteValue(repository)} has an empty path component` };
    if (!PATH_COMPONENT.test(component)) {
      return { error: `repository path component ${quoteValue(component)} is invalid: use lowercase letters and digits, separated by ".", "_", "__" or "-"` };
    }
  }
  const name = `${registry}/${repository}`;
  if (name.length > NAME_TOTAL_LENGTH_MAX) return { error: `repository name is ${name.length} characters long; the limit is ${NAME_TOTAL_LENGTH_MAX}` };
  return { repository };
}

function tagError(tag: string): string | undefined {
  if (tag.length === 0) return 'tag after ":" is empty';
  if (tag.length > TAG_LENGTH_MAX) return `tag is ${tag.length} characters long; the limit is ${TAG_LENGTH_MAX}`;
  if (!TAG.test(tag)) return `tag ${quoteValue(tag)} is invalid: use letters, digits, "_", "." and "-", not starting with "." or "-"`;
  return undefined;
}

/**
 * Parses an image reference the way `ParseNormalizedNamed` in `github.com/distribution/reference`
 * does, plus the `latest` default the runtime applies when there is neither tag nor digest:
 *
 * - the part before the first `/` is the registry only when it contains `.` or `:`, is
 *   `localhost`, or has an uppercase letter; otherwise the image is on Docker Hub
 *   (`nginx` → `docker.io/library/nginx:latest`, `bitnami/redis` → `docker.io/bitnami/redis:latest`);
 * - `index.docker.io` is `docker.io`; the registry is lower-cased (host names are case-insensitive);
 * - a reference with both tag and digest keeps both.
 *
 * Never throws: an invalid reference comes back with `valid: false` and the reason.
 */
export function parseImageReference(reference: string): ParsedImageReference {
  const original = reference;
  const invalid = (error: string): InvalidImageReference => ({ valid: false, original, error });
  // Pod specs come from the API as JSON: a reference that is not a string is reported, not thrown on.
  if (typeof reference !== 'string') return { valid: false, original: String(original ?? ''), error: 'image reference is empty' };
  const wholeError = wholeReferenceError(reference);
  if (wholeError) return invalid(wholeError);
  const withDigest = splitDigest(reference);
  if (failed(withDigest)) return invalid(withDigest.error);
  const { namePart, digest } = withDigest;
  if (namePart.length === 0) return invalid('repository name is empty');
  const withRegistry = splitRegistry(namePart);
  if (failed(withRegistry)) return invalid(withRegistry.error);
  const { registry, remainder } = withRegistry;
  const { repository: path, tag: givenTag } = splitTag(remainder);
  const checked = checkRepository(registry, path);
  if (failed(checked)) return invalid(checked.error);
  const { repository } = checked;
  const badTag = givenTag === undefined ? undefined : tagError(givenTag);
  if (badTag) return invalid(badTag);
  const tag = givenTag ?? (digest === undefined ? 'latest' : undefined);
  const normalized = `${registry}/${repository}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  return { valid: true, original, registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}), normalized };
}

/**
 * The manifest digest in a container status `imageID`, or undefined when it names none.
 *
 * The runtime reports either a repo digest (`docker-pullable://reg/repo@sha256:…` from
 * dockershim, `reg/repo@sha256:…` from containerd), which is the manifest digest the registry
 * knows, or an image config ID (`sha256:…`, `docker://sha256:…`), which the registry's tag
 * list never shows and is therefore useless for comparison.
 */
export function parseImageId(imageID: string): string | undefined {
  if (typeof imageID !== 'string') return undefined;
  let rest = imageID.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  if (at <= 0) return undefined;
  const digest = rest.slice(at + 1);
  return digestError(digest) === undefined ? digest : undefined;
}
