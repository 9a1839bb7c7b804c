import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { nextLink, parseTagPage, type ReadTagPage } from '../../src/registry/acrTagPages.js';
import { newestTagMatching } from '../../src/registry/repositoryTags.js';

/** Answers each page with the next of `answers` (status 200 unless given), recording the URLs. */
function registryAnswering(...answers: Array<{ body: string; status?: number; link?: string }>): { readPage: ReadTagPage; urls: string[] } {
  const urls: string[] = [];
  const readPage: ReadTagPage = async (url) => {
    urls.push(url);
    const answer = answers.shift() ?? { body: '{"imageName":"x","tags":[]}' };
    if ((answer.status ?? 200) !== 200) throw new RestError(answer.body, { statusCode: answer.status });
    return parseTagPage(answer.body, answer.link, new URL(url).host, decodeURIComponent(new URL(url).pathname.split('/')[3] ?? ''));
  };
  return { readPage, urls };
}

let minute = 0;
/** A tag one minute older than the one made before it (newest first, as ACR lists them). */
const tag = (name: string, lastUpdateTime = new Date(Date.parse('2026-11-01T12:00:00.1234567Z') - ++minute * 60_000).toISOString()) => ({
  name,
  digest: `sha256:${name.padEnd(64, '0')}`,
  lastUpdateTime,
  signed: false,
});
const page = (...tags: unknown[]) => JSON.stringify({ registry: 'r.io', imageName: 'x', tags });
const options = { pageSize: 2, maxResults: 10, matches: (t: string) => t.startsWith('prod-') };

describe('newestTagMatching', () => {
  it('asks for the newest tags first and follows Link pages on the same registry until the first match', async () => {
    const [build9, build8, prod7, prod6] = [tag('build-9'), tag('build-8'), tag('prod-7'), tag('prod-6')];
    const { readPage, urls } = registryAnswering(
      { body: page(build9, build8), link: '</acr/v1/team%2Fapp/_tags?last=build-8&n=2&orderby=timedesc>; rel="next"' },
      { body: page(prod7, prod6) },
    );
    const walk = await newestTagMatching(readPage, 'r.azurecr.io', 'team/app', options);
    expect(walk).toEqual({ newest: { name: 'prod-7', digest: prod7?.digest, lastUpdatedOn: new Date(prod7?.lastUpdateTime ?? '') }, examined: 3 });
    expect(urls).toEqual([
      'https://r.azurecr.io/acr/v1/team%2Fapp/_tags?n=2&api-version=2021-07-01&orderby=timedesc',
      'https://r.azurecr.io/acr/v1/team%2Fapp/_tags?last=build-8&n=2&orderby=timedesc',
    ]);
  });

  it('stops after ACR_MAX_RESULTS tags, and answers a repository without tags (as ACR lists it) with no match', async () => {
    const many = registryAnswering({ body: page(tag('a'), tag('b')), link: '</acr/v1/x/_tags?last=b>; rel="next"' });
    expect(await newestTagMatching(many.readPage, 'r.io', 'x', { ...options, maxResults: 2 })).toEqual({ examined: 2 });
    expect(many.urls).toHaveLength(1);
    // ACR leaves `tags` out (or null) once every tag of a repository was deleted; it still names the repository.
    expect(await newestTagMatching(registryAnswering({ body: '{"registry":"r.io","imageName":"x"}' }).readPage, 'r.io', 'x', options)).toEqual({ examined: 0 });
    expect(await newestTagMatching(registryAnswering({ body: '{"registry":"r.io","imageName":"x","tags":null}' }).readPage, 'r.io', 'x', options)).toEqual({ examined: 0 });
  });

  it('fails with ACR\'s error body and status, and names malformed answers', async () => {
    const refused = registryAnswering({ status: 404, body: '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}' });
    await expect(newestTagMatching(refused.readPage, 'r.io', 'x', options)).rejects.toMatchObject({ statusCode: 404, message: expect.stringContaining('NAME_UNKNOWN') });
    await expect(newestTagMatching(registryAnswering({ body: '<html>' }).readPage, 'r.io', 'x', options)).rejects.toThrow('ACR r.io answered the tags of x with a body that is not JSON');
    await expect(newestTagMatching(registryAnswering({ body: '{"tags":{}}' }).readPage, 'r.io', 'x', options)).rejects.toThrow('without a list of tags');
    const noDigest = registryAnswering({ body: page({ name: 'prod-1', lastUpdateTime: '2026-11-01T00:00:00Z' }) });
    await expect(newestTagMatching(noDigest.readPage, 'r.io', 'x', options)).rejects.toThrow('listed tag prod-1 of x without a digest');
    const noTime = registryAnswering({ body: page({ name: 'build-1', digest: 'sha256:1' }) });
    await expect(newestTagMatching(noTime.readPage, 'r.io', 'x', options)).rejects.toThrow('listed tag build-1 of x without a last-update time');
  });

  it('takes a body that is no tag list for an error, not for a repository without tags', async () => {
    for (const body of ['{}', '[]', 'null', '{"registry":"r.io"}', '"tags"']) {
      await expect(newestTagMatching(registryAnswering({ body }).readPage, 'r.io', 'x', options)).rejects.toThrow('ACR r.io answered the tags of x without a list of tags');
    }
  });

  it('refuses tags that are not newest first, within a page and across pages', async () => {
    const older = tag('build-2');
    const newer = tag('prod-1', new Date(Date.parse(older.lastUpdateTime) + 3_600_000).toISOString());
    const withinPage = registryAnswering({ body: page(older, newer) });
    await expect(newestTagMatching(withinPage.readPage, 'r.io', 'x', options)).rejects.toThrow(/answered the tags of x out of order: prod-1 .* comes after the older build-2/);
    const acrossPages = registryAnswering({ body: page(tag('a'), older), link: '</acr/v1/x/_tags?last=build-2>; rel="next"' }, { body: page(newer) });
    await expect(newestTagMatching(acrossPages.readPage, 'r.io', 'x', options)).rejects.toThrow('out of order');
    // Tags pushed at the same moment are in order either way.
    const tied = registryAnswering({ body: page(tag('build-3', older.lastUpdateTime), tag('prod-3', older.lastUpdateTime)) });
    expect(await newestTagMatching(tied.readPage, 'r.io', 'x', options)).toMatchObject({ newest: { name: 'prod-3' }, examined: 2 });
  });

  it('ends a walk that loops, runs past its page budget or makes no progress, as an error naming the repository', async () => {
    const self = '</acr/v1/x/_tags?last=a>; rel="next"';
    const loop = registryAnswering({ body: page(tag('a')), link: self }, { body: page(tag('b')), link: self }, { body: page(tag('c')), link: self });
    await expect(newestTagMatching(loop.readPage, 'r.io', 'x', options)).rejects.toThrow('ACR r.io linked page 3 of the tags of x back to a page already read');
    expect(loop.urls).toHaveLength(2);

    // 10 tags at 2 a page need 5 pages; a registry that sends 1 tag a page gets 6, then an error.
    const trickle = registryAnswering(...Array.from({ length: 20 }, (_, i) => ({ body: page(tag(`t${i}`)), link: `</acr/v1/x/_tags?last=t${i}>; rel="next"` })));
    await expect(newestTagMatching(trickle.readPage, 'r.io', 'x', options)).rejects.toThrow('ACR r.io spread the tags of x over more than 6 pages of 2 without reaching 10 tags');
    expect(trickle.urls).toHaveLength(6);

    const empty = registryAnswering({ body: page(), link: '</acr/v1/x/_tags?last=zzz>; rel="next"' });
    await expect(newestTagMatching(empty.readPage, 'r.io', 'x', options)).rejects.toThrow('ACR r.io answered page 1 of the tags of x with no tags and a link to a further page');
    expect(empty.urls).toHaveLength(1);
  });

  it('takes a Link to another origin for an error, not for the end of the list', async () => {
    const elsewhere = registryAnswering({ body: page(tag('build-1')), link: '<https://elsewhere.example/acr/v1/x/_tags?last=build-1>; rel="next"' });
    await expect(newestTagMatching(elsewhere.readPage, 'r.io', 'x', options)).rejects.toThrow('the registry https://r.io linked its next page of tags to another origin, https://elsewhere.example');
    expect(elsewhere.urls).toHaveLength(1);
  });
});

describe('nextLink', () => {
  it('resolves a relative next link on the registry, ignores other relations, and refuses other origins', () => {
    expect(nextLink('</acr/v1/a/_tags?last=x&n=100>; rel="next"', 'https://r.io')).toBe('https://r.io/acr/v1/a/_tags?last=x&n=100');
    expect(nextLink('<https://r.io/acr/v1/a/_tags?last=x>; rel=next', 'https://r.io')).toBe('https://r.io/acr/v1/a/_tags?last=x');
    expect(nextLink('</acr/v1/a/_tags?last=x>; rel="prev"', 'https://r.io')).toBeUndefined();
    expect(nextLink(undefined, 'https://r.io')).toBeUndefined();
    expect(() => nextLink('<https://elsewhere.example/acr/v1/a/_tags>; rel="next"', 'https://r.io')).toThrow('another origin');
    expect(() => nextLink('<http://r.io/acr/v1/a/_tags>; rel="next"', 'https://r.io')).toThrow('another origin');
  });
});
