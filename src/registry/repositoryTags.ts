/**
 * One repository's tags, newest first, as far as they were read: one walk per repository and
 * scan answers every tag pattern in use for it. A pattern is answered from the tags already
 * read when they hold its newest match (or hold all the tags a lookup may examine); further
 * pages are read only for a pattern that needs tags beyond them, and one page is read by one
 * lookup at a time (the others wait for it, their ACR_CONCURRENCY slot given back meanwhile).
 *
 * Each pattern gets exactly the answer a walk of its own would give: the same tags examined
 * (stopping at its first match or after ACR_MAX_RESULTS), the same checks in the same order (a
 * tag without a name or time, tags out of order, a looping or endless list, a link to another
 * host), and the same error when it reaches a page or tag that failed. Only the requests are
 * shared. What is kept is compact (name, time, digest per tag) and bounded by ACR_MAX_RESULTS.
 */
import type { TagInfo } from '../model/registry.js';
import { firstTagPageUrl, nextLink, releaseTag, type ReadTagPage, type TagJson } from './acrTagPages.js';

/** What a walk over the tags found for one pattern: the newest matching tag, if any, and how many tags it examined. */
export interface TagWalk {
  newest?: TagInfo;
  examined: number;
}

/** How one lookup reads a page: with its own budget, retries and slot. */
export interface TagReader {
  readPage: ReadTagPage;
  /** True once the lookup's own time is over: its failure to read a page is its own, not the repository's. */
  cutShort(): boolean;
  /** Waits for a page another lookup is reading (giving back the slot meanwhile). */
  wait(reading: Promise<unknown>): Promise<unknown>;
}

export interface TagWalkLimits {
  /** `n` of each page. */
  pageSize: number;
  /** ACR_MAX_RESULTS: at most this many tags are examined. */
  maxResults: number;
}

export class RepositoryTags {
  private readonly names: string[] = [];
  private readonly times: number[] = [];
  private readonly digests: unknown[] = [];
  private nextUrl: string | undefined;
  private pagesRead = 0;
  private readonly seen = new Set<string>();
  /** Where the tags stop being usable, and why: every walk that gets there fails with it. */
  private failure: { error: unknown } | undefined;
  private reading: Promise<unknown> | undefined;
  private readonly origin: string;
  private readonly maxPages: number;

  constructor(
    private readonly host: string,
    private readonly repository: string,
    private readonly limits: TagWalkLimits,
  ) {
    this.origin = `https://${host}`;
    this.nextUrl = firstTagPageUrl(host, repository, limits.pageSize);
    // Enough pages for maxResults tags, and one more for a registry that pages a little short.
    this.maxPages = Math.ceil(limits.maxResults / limits.pageSize) + 1;
  }

  /** The answer for `matches` from the tags already read, when they give it; undefined when it needs another page (or meets a failure). */
  answerFromKept(matches: (tag: string) => boolean): TagWalk | undefined {
    const index = this.names.findIndex(matches);
    if (index !== -1) return this.found(index);
    return this.failure === undefined && this.complete ? { examined: this.names.length } : undefined;
  }

  /** Walks newest first for the first tag `matches` accepts, reading pages with `reader` as needed. */
  async newest(matches: (tag: string) => boolean, reader: TagReader): Promise<TagWalk> {
    for (let i = 0; ; ) {
      for (; i < this.names.length; i += 1) if (matches(this.names[i] as string)) return this.found(i);
      if (this.failure) throw this.failure.error;
      if (this.complete) return { examined: this.names.length };
      if (this.reading) {
        await reader.wait(this.reading);
        continue; // the page is read, failed, or was cut short (then this lookup reads it)
      }
      this.reading = this.readNext(reader);
      const failed = (await this.reading) as { error: unknown } | undefined;
      if (failed) throw failed.error;
    }
  }

  /** Every tag a lookup may examine is read, or the list has ended. */
  private get complete(): boolean {
    return this.nextUrl === undefined || this.names.length >= this.limits.maxResults;
  }

  private found(index: number): TagWalk {
    return { newest: releaseTag(this.names[index] as string, this.times[index] as number, this.digests[index], this.host, this.repository), examined: index + 1 };
  }

  /** Reads the next page into the kept tags; resolves with the error when it failed (kept as the repository's, unless the reader was cut short). */
  private async readNext(reader: TagReader): Promise<{ error: unknown } | undefined> {
    try {
      await this.readPage(reader);
      return undefined;
    } catch (error) {
      if (!reader.cutShort()) this.failure = { error };
      return { error };
    } finally {
      this.reading = undefined;
    }
  }

  private async readPage(reader: TagReader): Promise<void> {
    const url = this.nextUrl as string;
    const page = this.pagesRead + 1;
    const { host, repository } = this;
    if (this.seen.has(url)) throw new Error(`ACR ${host} linked page ${page} of the tags of ${repository} back to a page already read (${new URL(url).pathname}...); stopped there`);
    if (page > this.maxPages) {
      throw new Error(`ACR ${host} spread the tags of ${repository} over more than ${this.maxPages} pages of ${this.limits.pageSize} without reaching ${this.limits.maxResults} tags; stopped there`);
    }
    const { tags, link } = await reader.readPage(url, page);
    // Only once read: a page a lookup gave up on (its time was over) is read again by the next one.
    this.seen.add(url);
    this.pagesRead = page;
    const next = nextLink(link, this.origin);
    if (tags.length === 0 && next) throw new Error(`ACR ${host} answered page ${page} of the tags of ${repository} with no tags and a link to a further page; stopped there`);
    this.keep(tags, page);
    this.nextUrl = next;
  }

  /** Checks the page's tags in order and keeps them, up to ACR_MAX_RESULTS; a bad tag ends the usable tags there. */
  private keep(tags: readonly TagJson[], page: number): void {
    const { host, repository, names, times } = this;
    for (const tag of tags) {
      if (names.length >= this.limits.maxResults) return;
      const name = tag.name;
      const last = names.length - 1;
      try {
        if (typeof name !== 'string') throw new Error(`ACR ${host} listed a tag of ${repository} without a name`);
        const updatedMs = typeof tag.lastUpdateTime === 'string' ? Date.parse(tag.lastUpdateTime) : Number.NaN;
        if (Number.isNaN(updatedMs)) throw new Error(`ACR ${host} listed tag ${name} of ${repository} without a last-update time`);
        if (last >= 0 && updatedMs > (times[last] as number)) {
          throw new Error(
            `ACR ${host} answered the tags of ${repository} out of order: ${name} (${new Date(updatedMs).toISOString()}) comes after the older ${names[last]} (${new Date(times[last] as number).toISOString()}) on page ${page}; without newest-first order an older release could win`,
          );
        }
        names.push(name);
        times.push(updatedMs);
        this.digests.push(tag.digest);
      } catch (error) {
        this.failure = { error };
        return;
      }
    }
  }
}

/** One walk over a repository's tags for one pattern (a RepositoryTags of its own). */
export function newestTagMatching(
  readPage: ReadTagPage,
  host: string,
  repository: string,
  options: TagWalkLimits & { matches: (tag: string) => boolean },
): Promise<TagWalk> {
  const reader: TagReader = { readPage, cutShort: () => false, wait: (reading) => reading };
  return new RepositoryTags(host, repository, options).newest(options.matches, reader);
}
