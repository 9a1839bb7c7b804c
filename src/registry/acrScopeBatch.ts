/**
 * Scope batching: every repository of one registry announced in the same tick shares one
 * `/oauth2/token` request, sent once the tick is over, with one `scope` parameter per
 * repository ("can be specified more than once for multiple scope requests", ACR's
 * docs/AAD-OAuth.md), split above MAX_SCOPES_PER_TOKEN. The scan announces all the
 * repositories a pod page reveals while it reads that page, so a page costs one token request.
 */

/**
 * Most repository scopes named in one `/oauth2/token` request. Each scope makes the access
 * token (sent as a header on every data request) about 80 bytes longer; 50 keeps it near 5 KB,
 * well under common 8–16 KB header limits. ACR's own limit is not documented (unverified).
 */
export const MAX_SCOPES_PER_TOKEN = 50;

/** How a batch gets its tokens. */
export interface ScopeTokenSource {
  /** The tokens already held for some of `repositories`, looked up when the batch is sent; a rejection fails the whole batch. */
  held(repositories: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** One token request for at most MAX_SCOPES_PER_TOKEN `repositories`: a token that covers them all. */
  request(repositories: readonly string[]): Promise<string>;
}

interface Deferred {
  promise: Promise<string>;
  resolve(token: string): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (token: string) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every caller handles the rejection, but a cancelled caller must not leave it unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** `items` in runs of at most `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let i = 0; i < items.length; i += size) runs.push(items.slice(i, i + size));
  return runs;
}

/** The token requests of one registry for one scan: the repositories of this tick, and those whose token is on its way. */
export class ScopeBatch {
  /** Repository -> its token, from the moment it is announced until the token (or the failure) comes. */
  private readonly waiting = new Map<string, Deferred>();
  /** Repositories announced in this tick, waiting for the next token request. */
  private pending = new Map<string, Deferred>();

  constructor(private readonly source: ScopeTokenSource) {}

  /** `repository`'s token: joins its request if one is on its way, else the next batch. */
  token(repository: string): Promise<string> {
    // A repository forgotten before its batch was sent stays in that batch.
    const known = this.waiting.get(repository) ?? this.pending.get(repository);
    if (known) {
      this.waiting.set(repository, known);
      return known.promise;
    }
    const entry = deferred();
    this.waiting.set(repository, entry);
    // A failed token is not kept: the next call for the repository tries again.
    const done = (): void => void (this.waiting.get(repository) === entry && this.waiting.delete(repository));
    entry.promise.then(done, done);
    if (this.pending.size === 0) setImmediate(() => void this.flush());
    this.pending.set(repository, entry);
    return entry.promise;
  }

  /** Stops waiting for `repository`'s token on its way: the next call asks again. */
  forget(repository: string): void {
    this.waiting.delete(repository);
  }

  /** Sends the token requests for every repository announced since the last flush. */
  private async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending = new Map();
    let held: ReadonlyMap<string, string>;
    try {
      held = await this.source.held(batch.map(([repository]) => repository));
    } catch (error) {
      for (const [, entry] of batch) entry.reject(error);
      return;
    }
    // Repositories an earlier scan of this process already holds a token for need no request.
    const missing = batch.filter(([repository, entry]) => {
      const token = held.get(repository);
      if (token === undefined) return true;
      entry.resolve(token);
      return false;
    });
    await Promise.all(chunks(missing, MAX_SCOPES_PER_TOKEN).map((chunk) => this.send(chunk)));
  }

  private async send(chunk: ReadonlyArray<[string, Deferred]>): Promise<void> {
    try {
      const token = await this.source.request(chunk.map(([repository]) => repository));
      for (const [, entry] of chunk) entry.resolve(token);
    } catch (error) {
      for (const [, entry] of chunk) entry.reject(error);
    }
  }
}
