import { createHttpHeaders, createPipelineFromOptions, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { newestTagMatching, nextLink } from '../../src/registry/acrTagPages.js';

/** Answers each request with the next of `bodies` (status 200 unless given), recording the URLs. */
function registryAnswering(...answers: Array<{ body: string; status?: number; link?: string }>) {
  const urls: string[] = [];
  const httpClient: HttpClient = {
    async sendRequest(request: PipelineRequest) {
      urls.push(request.url);
      const answer = answers.shift() ?? { body: '{"tags":[]}' };
      return { request, status: answer.status ?? 200, headers: createHttpHeaders(answer.link ? { link: answer.link } : {}), bodyAsText: answer.body };
    },
  };
  return { source: { pipeline: createPipelineFromOptions({ retryOptions: { maxRetries: 0 } }), httpClient }, urls };
}

const tag = (name: string) => ({ name, digest: `sha256:${name.padEnd(64, '0')}`, lastUpdateTime: '2026-11-01T00:00:00.1234567Z', signed: false });
const options = { pageSize: 2, maxResults: 10, matches: (t: string) => t.startsWith('prod-') };

describe('newestTagMatching', () => {
  it('asks for the newest tags first and follows Link pages on the same registry until the first match', async () => {
    const { source, urls } = registryAnswering(
      { body: JSON.stringify({ tags: [tag('build-9'), tag('build-8')] }), link: '</acr/v1/team%2Fapp/_tags?last=build-8&n=2&orderby=timedesc>; rel="next"' },
      { body: JSON.stringify({ tags: [tag('prod-7'), tag('prod-6')] }) },
    );
    const walk = await newestTagMatching(source, 'r.azurecr.io', 'team/app', options);
    expect(walk).toEqual({ newest: { name: 'prod-7', digest: tag('prod-7').digest, lastUpdatedOn: new Date('2026-11-01T00:00:00.123Z') }, examined: 3 });
    expect(urls).toEqual([
      'https://r.azurecr.io/acr/v1/team%2Fapp/_tags?n=2&api-version=2021-07-01&orderby=timedesc',
      'https://r.azurecr.io/acr/v1/team%2Fapp/_tags?last=build-8&n=2&orderby=timedesc',
    ]);
  });

  it('stops after ACR_MAX_RESULTS tags, and answers an empty repository with no match', async () => {
    const many = registryAnswering({ body: JSON.stringify({ tags: [tag('a'), tag('b')] }), link: '</acr/v1/x/_tags?last=b>; rel="next"' });
    expect(await newestTagMatching(many.source, 'r.io', 'x', { ...options, maxResults: 2 })).toEqual({ examined: 2 });
    expect(many.urls).toHaveLength(1);
    expect(await newestTagMatching(registryAnswering({ body: '{"registry":"r.io","imageName":"x"}' }).source, 'r.io', 'x', options)).toEqual({ examined: 0 });
  });

  it('fails with ACR\'s error body and status, and names malformed answers', async () => {
    const refused = registryAnswering({ status: 404, body: '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}' });
    await expect(newestTagMatching(refused.source, 'r.io', 'x', options)).rejects.toMatchObject({ statusCode: 404, message: expect.stringContaining('NAME_UNKNOWN') });
    await expect(newestTagMatching(registryAnswering({ body: '<html>' }).source, 'r.io', 'x', options)).rejects.toThrow('ACR r.io answered the tags of x with a body that is not JSON');
    await expect(newestTagMatching(registryAnswering({ body: '{"tags":{}}' }).source, 'r.io', 'x', options)).rejects.toThrow('without a list of tags');
    const noDigest = registryAnswering({ body: JSON.stringify({ tags: [{ name: 'prod-1', lastUpdateTime: '2026-11-01T00:00:00Z' }] }) });
    await expect(newestTagMatching(noDigest.source, 'r.io', 'x', options)).rejects.toThrow('listed tag prod-1 of x without a digest or last-update time');
  });
});

describe('nextLink', () => {
  it('resolves a relative next link on the registry, and ignores other relations and other hosts', () => {
    expect(nextLink('</acr/v1/a/_tags?last=x&n=100>; rel="next"', 'https://r.io')).toBe('https://r.io/acr/v1/a/_tags?last=x&n=100');
    expect(nextLink('<https://r.io/acr/v1/a/_tags?last=x>; rel=next', 'https://r.io')).toBe('https://r.io/acr/v1/a/_tags?last=x');
    expect(nextLink('</acr/v1/a/_tags?last=x>; rel="prev"', 'https://r.io')).toBeUndefined();
    expect(nextLink('<https://elsewhere.example/acr/v1/a/_tags>; rel="next"', 'https://r.io')).toBeUndefined();
    expect(nextLink(undefined, 'https://r.io')).toBeUndefined();
  });
});
