/**
 * Posts the Slack emulators accept and then answer late, or never (until close): what a client
 * sees when Slack took a post and the answer was lost or slow.
 */
import type { ServerResponse } from 'node:http';

export class HeldAnswers {
  /** Accepted posts answered late (ms) or never (undefined). */
  private readonly queue: Array<{ answerAfterMs: number | undefined }> = [];

  /** The next `count` accepted posts are answered after `answerAfterMs`, or never. */
  holdNext(count: number, answerAfterMs: number | undefined): void {
    for (let i = 0; i < count; i++) this.queue.push({ answerAfterMs });
  }

  /** Calls `send` now, or later, or only `logUnanswered` (never answered), as the next held post says. */
  answer(res: ServerResponse, send: () => void, logUnanswered: () => void): void {
    const late = this.queue.shift();
    if (!late) return send();
    if (late.answerAfterMs === undefined) return logUnanswered();
    setTimeout(() => {
      if (!res.destroyed) send();
    }, late.answerAfterMs);
  }
}
