/**
 * ACR's data endpoints, once the request is authorised and its repository known:
 * `/acr/v1/{repo}/_tags` (pages with `n`, `last`, `orderby=timedesc|timeasc`, none = by name, and
 * a `Link: <...>; rel="next"` header), `/acr/v1/{repo}/_tags/{tag}` and
 * `/acr/v1/{repo}/_manifests/{digest}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AcrFault } from '../acrFaults.js';
import { acrErrors, reply, type AcrContext } from './context.js';
import { CHANGEABLE_ATTRIBUTES, tagJson, type RepositoryState, type SortedView, type TagOrder, type TagRecord } from './repositories.js';

/** Where a page starts after `last`. */
function pageStart(view: SortedView, order: TagOrder, last: string | undefined): number {
  if (last === undefined || last === '') return 0;
  const idx = view.indexByName.get(last);
  if (idx !== undefined) return idx + 1;
  if (order !== 'name') return view.tags.length; // unknown continuation in time order: nothing more
  // Lexical continuation works even when `last` was deleted meanwhile.
  const i = view.tags.findIndex((t) => t.name > last);
  return i < 0 ? view.tags.length : i;
}

/**
 * A tag page; the tag page faults (`fault`) change it: a `Link` to itself, to another host, or
 * with no tags, or its tags oldest first.
 */
export function handleTagList(
  ctx: AcrContext,
  req: IncomingMessage,
  res: ServerResponse,
  repo: string,
  state: RepositoryState,
  query: Record<string, string>,
  fault: AcrFault | undefined,
): void {
  const order: TagOrder = query.orderby === 'timedesc' ? 'timedesc' : query.orderby === 'timeasc' ? 'timeasc' : 'name';
  const nRaw = query.n === undefined ? 100 : Number.parseInt(query.n, 10);
  if (!Number.isFinite(nRaw) || nRaw < 1) {
    reply(ctx, req, res, 'tags-page', 400, acrErrors('PAGINATION_NUMBER_INVALID', 'invalid number of results requested'));
    return;
  }
  const n = Math.min(nRaw, 1000);
  const view = state.view(order);
  const start = pageStart(view, order, query.last);
  let page = view.tags.slice(start, start + n);
  const headers: Record<string, string> = {};
  const lastOnPage = page[page.length - 1];
  const nextParams = new URLSearchParams({ last: lastOnPage?.name ?? 'zzz', n: String(n) });
  if (order !== 'name') nextParams.set('orderby', order);
  const nextLink = `</acr/v1/${repo}/_tags?${nextParams.toString()}>; rel="next"`;
  if (lastOnPage && start + n < view.tags.length) headers.link = nextLink;
  if (fault?.kind === 'self-link') headers.link = `<${req.url ?? ''}>; rel="next"`;
  if (fault?.kind === 'cross-origin-link') headers.link = `<https://elsewhere.example/acr/v1/${repo}/_tags?${nextParams.toString()}>; rel="next"`;
  if (fault?.kind === 'empty-page-with-next') {
    page = [];
    headers.link = nextLink;
  }
  if (fault?.kind === 'unsorted') page = [...page].reverse();
  reply(ctx, req, res, 'tags-page', 200, { registry: ctx.loginServer, imageName: repo, tags: page.map(tagJson) }, headers);
}

export function handleTag(ctx: AcrContext, req: IncomingMessage, res: ServerResponse, repo: string, state: RepositoryState, tagName: string): void {
  const t = state.byName.get(tagName);
  if (!t) {
    reply(ctx, req, res, 'tag', 404, acrErrors('TAG_UNKNOWN', 'the specified tag does not exist', { Type: 'repository', Name: repo, Tag: tagName }));
    return;
  }
  reply(ctx, req, res, 'tag', 200, { registry: ctx.loginServer, imageName: repo, tag: tagJson(t) });
}

/** The tags of a multi-arch index in the repository that lists `digest` as one of its platform manifests. */
function parentIndexTags(ctx: AcrContext, state: RepositoryState, digest: string): TagRecord[] {
  for (const t of state.byName.values()) {
    if (ctx.manifests.get(t.digest)?.references?.some((r) => r.digest === digest)) {
      const parent = state.tagsForDigest(t.digest);
      if (parent.length > 0) return parent;
    }
  }
  return [];
}

/** Architecture and OS of a single-platform manifest: its own, else its index's entry, else amd64/linux. */
function platformOf(ctx: AcrContext, digest: string, isChild: boolean): { architecture: string; os: string } {
  const seed = ctx.manifests.get(digest);
  const childInfo = isChild ? [...ctx.manifests.values()].flatMap((m) => m.references ?? []).find((r) => r.digest === digest) : undefined;
  return {
    architecture: seed?.architecture ?? childInfo?.architecture ?? 'amd64',
    os: seed?.os ?? childInfo?.os ?? 'linux',
  };
}

export function handleManifest(ctx: AcrContext, req: IncomingMessage, res: ServerResponse, repo: string, state: RepositoryState, digest: string): void {
  const tagged = state.tagsForDigest(digest);
  // A child manifest of a multi-arch index lives in the repository even without a tag.
  const parent = tagged.length === 0 ? parentIndexTags(ctx, state, digest) : [];
  const times = tagged.length > 0 ? tagged : parent;
  if (times.length === 0) {
    reply(ctx, req, res, 'manifest', 404, acrErrors('MANIFEST_UNKNOWN', 'manifest unknown', { Type: 'repository', Name: repo, Digest: digest }));
    return;
  }
  const seed = ctx.manifests.get(digest);
  const references = seed?.references;
  const platform = references ? {} : platformOf(ctx, digest, parent.length > 0);
  const created = times.reduce((a, b) => (Date.parse(a.createdTime) <= Date.parse(b.createdTime) ? a : b)).createdTime;
  const updated = times.reduce((a, b) => (a.updatedMs >= b.updatedMs ? a : b)).lastUpdateTime;
  reply(ctx, req, res, 'manifest', 200, {
    registry: ctx.loginServer,
    imageName: repo,
    manifest: {
      digest,
      imageSize: seed?.imageSize ?? 52_428_800,
      createdTime: created,
      lastUpdateTime: updated,
      ...platform,
      mediaType: references ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json',
      ...(references ? { references: references.map((r) => ({ digest: r.digest, architecture: r.architecture ?? 'amd64', os: r.os ?? 'linux' })) } : {}),
      tags: tagged.map((t) => t.name),
      changeableAttributes: { ...CHANGEABLE_ATTRIBUTES, quarantineState: 'Passed' },
    },
  });
}
