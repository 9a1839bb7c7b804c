/**
 * A queue message as a queue-triggered function receives it, as a value. With host.json's
 * `messageEncoding: "none"` the host hands over the message text, parsed when it is JSON; text
 * written for the default encoding (base64) still arrives as base64. So an item is taken as the
 * host's parsed object, JSON text, or base64 of JSON text.
 */

/** The item's value; throws with a one-line reason when it is text that is neither JSON nor base64 of JSON. */
export function queueItemValue(item: unknown): unknown {
  if (typeof item !== 'string') return item;
  const text = item.trim();
  const json = text.startsWith('{') || text.startsWith('[') ? text : Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new Error('the queue message is not JSON (nor base64 of JSON)');
  }
}
