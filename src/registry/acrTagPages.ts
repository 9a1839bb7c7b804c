/**
 * A repository's tag pages, newest first, read with `GET /acr/v1/{repo}/_tags`
 * through an Azure Core pipeline (`@azure/core-rest-pipeline`: retries, 429 `Retry-After`,
 * redirects, logging) that carries the token provider's policy; each page's JSON is parsed once
 * into plain objects.
 *
 * Why not `RegistryArtifact.listTagProperties` of `@azure/container-registry`: the lookups are
 * the scan's critical path, and the SDK's deserialiser built a typed model of every tag, CPU on
 * the one event loop (docs/performance.md, Tag pages). The SDK client still reads manifests.
 */
import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import type { TagInfo } from '../model/registry.js';

/** The `api-version` the SDK sends with its data-plane requests. */
const API_VERSION = '2021-07-01';

export interface TagPageSource {
  pipeline: Pipeline;
  httpClient: HttpClient;
}

/** A page ACR answered with 200: its tags, parsed, and its `Link` header. */
export interface TagPage {
  tags: TagJson[];
  link: string | undefined;
}

/** Reads and parses one page (`pageNumber` from 1); throws a RestError with ACR's answer when it is not 200. */
export type ReadTagPage = (url: string, pageNumber: number) => Promise<TagPage>;

/** The first page's URL: the newest `pageSize` tags of `repository`. */
export function firstTagPageUrl(host: string, repository: string, pageSize: number): string {
  return `https://${host}/acr/v1/${encodeURIComponent(repository)}/_tags?${new URLSearchParams({ n: String(pageSize), 'api-version': API_VERSION, orderby: 'timedesc' })}`;
}

/** Sends one tag page request of `repository` on `host` through `source` with `signal`, and parses the answer. */
export async function fetchTagPage(source: TagPageSource, url: string, signal: AbortSignal, host: string, repository: string): Promise<TagPage> {
  const request = createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders({ accept: 'application/json' }), abortSignal: signal });
  const response = await source.pipeline.sendRequest(source.httpClient, request);
  const text = response.bodyAsText ?? '';
  // The message is ACR's error body, which `describeError` turns into a reason.
  if (response.status !== 200) throw new RestError(text || `HTTP ${response.status}`, { statusCode: response.status, request, response });
  return parseTagPage(text, response.headers.get('link'), host, repository);
}

/** A tag page from its body and `Link` header. */
export function parseTagPage(text: string, link: string | undefined, host: string, repository: string): TagPage {
  return { tags: tagsOf(text, host, repository), link };
}

/** A tag as the JSON lists it: nothing is trusted until the walk has checked it. */
export interface TagJson {
  name?: unknown;
  digest?: unknown;
  lastUpdateTime?: unknown;
}

/**
 * The tags of one page. ACR's TagList always names its repository (`imageName`, required in
 * the REST spec, as are `registry` and `tags`), but for a repository whose tags were all deleted
 * it leaves `tags` out or null (azure-sdk-for-python#28234: the SDK had to read it as "no tags").
 * That answer, and only that one, is an empty list; `{}` or any other shape is an error.
 */
function tagsOf(text: string, host: string, repository: string): TagJson[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`ACR ${host} answered the tags of ${repository} with a body that is not JSON`);
  }
  const list = typeof body === 'object' && body !== null ? (body as { tags?: unknown; imageName?: unknown }) : undefined;
  if (list && Array.isArray(list.tags)) return list.tags as TagJson[];
  if (list && (list.tags === undefined || list.tags === null) && typeof list.imageName === 'string') return []; // a repository without tags
  throw new Error(`ACR ${host} answered the tags of ${repository} without a list of tags`);
}

/** The newest matching tag, once its digest is checked (only a match needs one). */
export function releaseTag(name: string, updatedMs: number, digest: unknown, host: string, repository: string): TagInfo {
  if (typeof digest !== 'string' || !digest) throw new Error(`ACR ${host} listed tag ${name} of ${repository} without a digest`);
  return { name, digest, lastUpdatedOn: new Date(updatedMs) };
}

/**
 * The next page from a `Link: </acr/v1/...?last=...>; rel="next"` header. A link to another
 * origin is an error, not the end of the list: the credential-carrying pipeline only follows
 * links on the registry itself, and stopping quietly would read as "no release found".
 */
export function nextLink(link: string | undefined, origin: string): string | undefined {
  const target = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1];
  if (!target) return undefined;
  const url = new URL(target, origin);
  if (url.origin !== origin) throw new Error(`the registry ${origin} linked its next page of tags to another origin, ${url.origin}; a scan follows links only on the registry itself`);
  return url.toString();
}
