import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { trimTagPagesPolicy } from '../../src/registry/tagPageTrim.js';
import { compileTagPattern } from '../../src/registry/tagPattern.js';

describe('trimTagPagesPolicy', () => {
  const tag = (name: string) => ({ name, digest: `sha256:${name}`, createdTime: 't0', lastUpdateTime: 't1', signed: false, changeableAttributes: { deleteEnabled: true } });
  async function send(url: string, body: unknown, status = 200): Promise<PipelineResponse> {
    const request = createPipelineRequest({ url, method: 'GET' });
    const response: PipelineResponse = { request, status, headers: createHttpHeaders({ link: '</next>; rel="next"' }), bodyAsText: JSON.stringify(body) };
    return trimTagPagesPolicy(compileTagPattern('prod-*')).sendRequest(request, async () => response);
  }

  it('cuts a tags page after its first release tag and keeps only the fields the lookup reads', async () => {
    const response = await send('https://r.io/acr/v1/team%2Fapp/_tags?n=100', { registry: 'r.io', tags: [tag('build-3'), tag('prod-2'), tag('prod-1')] });
    expect(JSON.parse(response.bodyAsText ?? '')).toEqual({
      registry: 'r.io',
      tags: [
        { name: 'build-3', digest: 'sha256:build-3', createdTime: 't0', lastUpdateTime: 't1' },
        { name: 'prod-2', digest: 'sha256:prod-2', createdTime: 't0', lastUpdateTime: 't1' },
      ],
    });
    expect(response.headers.get('link')).toBe('</next>; rel="next"');
  });

  it('keeps every tag of a page without a release, and leaves other responses alone', async () => {
    expect(JSON.parse((await send('https://r.io/acr/v1/a/_tags', { tags: [tag('a'), tag('b')] })).bodyAsText ?? '').tags).toHaveLength(2);
    const manifest = { manifest: { digest: 'sha256:x' } };
    expect((await send('https://r.io/acr/v1/a/_manifests/sha256:x', manifest)).bodyAsText).toBe(JSON.stringify(manifest));
    const error = { errors: [{ code: 'NAME_UNKNOWN' }] };
    expect((await send('https://r.io/acr/v1/a/_tags', error, 404)).bodyAsText).toBe(JSON.stringify(error));
  });
});
