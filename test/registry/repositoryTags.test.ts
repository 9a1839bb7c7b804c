/**
 * One walk per repository for every pattern (RepositoryTags), with a registry answering pages
 * in memory: each pattern gets the answer a walk of its own would give, pages are read once,
 * and only a failure of the repository's own (not of one lookup's time) is shared.
 */
import { describe, expect, it } from 'vitest';
import { parseTagPage, type ReadTagPage } from '../../src/registry/acrTagPages.js';
import { RepositoryTags, newestTagMatching, type TagReader } from '../../src/registry/repositoryTags.js';

let minute = 0;
const tag = (name: string) => ({ name, digest: `sha256:${name.padEnd(64, '0')}`, lastUpdateTime: new Date(Date.parse('2026-11-01T12:00:00Z') - ++minute * 60_000).toISOString() });
const page = (...tags: unknown[]) => JSON.stringify({ registry: 'r.io', imageName: 'x', tags });

/** Pages of `names`, `size` a page, linked; records the pages read. */
function pagedRegistry(names: string[], size: number): { readPage: ReadTagPage; read: number[] } {
  const tags = names.map((name, i) => ({ name, digest: `sha256:${name.padEnd(64, '0')}`, lastUpdateTime: new Date(Date.parse('2026-10-01T12:00:00Z') - i * 60_000).toISOString() }));
  const read: number[] = [];
  const readPage: ReadTagPage = async (url, number) => {
    read.push(number);
    const start = Number(new URL(url).searchParams.get('start') ?? 0);
    const slice = tags.slice(start, start + size);
    const link = start + size < tags.length ? `</acr/v1/x/_tags?start=${start + size}>; rel="next"` : undefined;
    return parseTagPage(page(...slice), link, 'r.io', 'x');
  };
  return { readPage, read };
}

const reader = (readPage: ReadTagPage, cutShort = () => false): TagReader => ({ readPage, cutShort, wait: (p) => p });
const starting = (prefix: string) => (t: string) => t.startsWith(prefix);
const NAMES = ['main-9', 'pr-8', 'main-7', 'prod-6', 'pr-5', 'main-4', 'staging-3', 'prod-2', 'pr-1', 'hotfix-0'];

describe('RepositoryTags: one walk for every pattern', () => {
  it('answers each pattern as a walk of its own would, reading each page once and no further than some pattern needs', async () => {
    const limits = { pageSize: 3, maxResults: 10 };
    const shared = pagedRegistry(NAMES, 3);
    const tags = new RepositoryTags('r.io', 'x', limits);
    for (const prefix of ['main-', 'prod-', 'staging-', 'nothing-', 'pr-']) {
      const alone = await newestTagMatching(pagedRegistry(NAMES, 3).readPage, 'r.io', 'x', { ...limits, matches: starting(prefix) });
      expect(await tags.newest(starting(prefix), reader(shared.readPage)), prefix).toEqual(alone);
    }
    expect(shared.read).toEqual([1, 2, 3, 4]);
    // Everything read: a pattern asked now is answered from the kept tags.
    expect(tags.answerFromKept(starting('hotfix-'))).toMatchObject({ newest: { name: 'hotfix-0' }, examined: 10 });
    expect(tags.answerFromKept(starting('none-'))).toEqual({ examined: 10 });
  });

  it('answers from the kept tags only what they tell: a later match needs the next page', async () => {
    const { readPage, read } = pagedRegistry(NAMES, 3);
    const tags = new RepositoryTags('r.io', 'x', { pageSize: 3, maxResults: 10 });
    await tags.newest(starting('main-'), reader(readPage));
    expect(tags.answerFromKept(starting('pr-'))).toMatchObject({ newest: { name: 'pr-8' }, examined: 2 });
    expect(tags.answerFromKept(starting('prod-'))).toBeUndefined();
    expect(read).toEqual([1]);
  });

  it('lets patterns asked together share the page being read', async () => {
    const { readPage, read } = pagedRegistry(NAMES, 5);
    const tags = new RepositoryTags('r.io', 'x', { pageSize: 5, maxResults: 10 });
    const answers = await Promise.all(['main-', 'prod-', 'pr-', 'staging-'].map((p) => tags.newest(starting(p), reader(readPage))));
    expect(answers.map((a) => a.newest?.name)).toEqual(['main-9', 'prod-6', 'pr-8', 'staging-3']);
    expect(read).toEqual([1, 2]);
  });

  it('gives every pattern that reaches a bad tag or a failed page the same error, and the earlier matches still', async () => {
    const bad = { name: 'prod-x' }; // no last-update time
    const readPage: ReadTagPage = async () => parseTagPage(page(tag('main-3'), bad, tag('prod-1')), undefined, 'r.io', 'x');
    const tags = new RepositoryTags('r.io', 'x', { pageSize: 10, maxResults: 10 });
    expect(await tags.newest(starting('main-'), reader(readPage))).toMatchObject({ newest: { name: 'main-3' } });
    await expect(tags.newest(starting('prod-'), reader(readPage))).rejects.toThrow('listed tag prod-x of x without a last-update time');
    let reads = 0;
    const refusing: ReadTagPage = async () => {
      reads += 1;
      throw new Error('HTTP 403');
    };
    const denied = new RepositoryTags('r.io', 'y', { pageSize: 10, maxResults: 10 });
    await expect(denied.newest(starting('a'), reader(refusing))).rejects.toThrow('HTTP 403');
    await expect(denied.newest(starting('b'), reader(refusing))).rejects.toThrow('HTTP 403');
    expect(reads).toBe(1);
  });

  it('does not keep the failure of a lookup whose own time ran out: the next lookup reads the page itself', async () => {
    const { readPage, read } = pagedRegistry(NAMES, 10);
    const tags = new RepositoryTags('r.io', 'x', { pageSize: 10, maxResults: 10 });
    const timedOut: ReadTagPage = async () => {
      throw new Error('lookup did not finish within 45s');
    };
    await expect(tags.newest(starting('main-'), reader(timedOut, () => true))).rejects.toThrow('did not finish');
    expect(await tags.newest(starting('main-'), reader(readPage))).toMatchObject({ newest: { name: 'main-9' } });
    expect(read).toEqual([1]);
  });
});
