/**
 * A pipeline policy for the registry lookup's `ContainerRegistryClient`: each tags page is cut
 * after its first release tag (TAG_PATTERN) before the SDK deserialises it, and each tag is
 * reduced to the fields the lookup reads.
 *
 * Why (measured with `npm run bench`, default estate, 648 tags pages of 100 tags): the SDK's
 * mapper-based deserialiser built a typed model of all 65,000 tags, about 0.37 s of the scan's
 * 1.9 s of CPU plus the garbage it left, while the walk stops at the first release of a page.
 * The cut is safe because the walk returns at that tag: nothing after it is ever read, and the
 * `Link` header (the next page) is left as it is.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

const TAGS_PATH = /\/acr\/v1\/.+\/_tags$/;

interface TagEntry {
  name?: unknown;
  digest?: unknown;
  createdTime?: unknown;
  lastUpdateTime?: unknown;
}

export function trimTagPagesPolicy(matchesTagPattern: (tag: string) => boolean): PipelinePolicy {
  return {
    name: 'acrAksSyncTrimTagPages',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 200 || !response.bodyAsText || request.method !== 'GET') return response;
      if (!TAGS_PATH.test(new URL(request.url).pathname)) return response;
      let body: { tags?: TagEntry[] };
      try {
        body = JSON.parse(response.bodyAsText) as { tags?: TagEntry[] };
      } catch {
        return response; // not JSON: let the SDK report it
      }
      if (!Array.isArray(body.tags)) return response;
      const firstRelease = body.tags.findIndex((t) => typeof t.name === 'string' && matchesTagPattern(t.name));
      const kept = firstRelease >= 0 ? body.tags.slice(0, firstRelease + 1) : body.tags;
      body.tags = kept.map((t) => ({ name: t.name, digest: t.digest, createdTime: t.createdTime, lastUpdateTime: t.lastUpdateTime }));
      response.bodyAsText = JSON.stringify(body);
      return response;
    },
  };
}
