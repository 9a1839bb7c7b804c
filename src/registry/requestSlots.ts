/**
 * The ACR_CONCURRENCY slots. A lookup holds one from its first tag page to its answer, as the
 * walk needs it, and gives it back only while it waits (a backoff, a registry's Retry-After
 * pause), taking its turn again afterwards.
 *
 * Why not util/concurrencyLimit.ts, which runs a task in a slot: giving the slot back in the
 * middle of a task needs a handle. And why not a slot per request: every lookup then starts and
 * parks its walk's state at the queue, which cost a quarter more CPU in garbage collection
 * (docs/performance.md, Tag pages).
 */

/** A slot in hand: `without` gives it back while `wait` runs. */
export interface HeldSlot {
  without<T>(wait: () => Promise<T>): Promise<T>;
}

export class RequestSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Runs `work` in a slot; whatever it throws, the slot is given back. */
  async hold<T>(work: (slot: HeldSlot) => Promise<T>): Promise<T> {
    await this.acquire();
    let holding = true;
    const slot: HeldSlot = {
      without: async <W>(wait: () => Promise<W>): Promise<W> => {
        this.release();
        holding = false;
        const value = await wait(); // a failed wait ends the work without a slot to give back
        await this.acquire();
        holding = true;
        return value;
      },
    };
    try {
      return await work(slot);
    } finally {
      if (holding) this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** The slot passes straight to the next waiting task, so a task arriving meanwhile cannot take it too. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}
