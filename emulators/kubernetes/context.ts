/** The Kubernetes API emulator's state as its request handlers share it. */
import type { GzipBomb, OpenRequests } from '../faults.js';
import type { RequestLogEntry } from '../httpUtil.js';
import type { ListContext } from './listing.js';
import type { KubernetesAuthorizer, KubernetesFault, ListRequest } from './model.js';

export interface KubernetesContext extends ListContext {
  readonly requests: RequestLogEntry[];
  readonly authorize: KubernetesAuthorizer;
  /** Requests held open by `hang` and `stallAfterBytes` faults. */
  readonly open: OpenRequests;
  /** The gzip bombs served so far. */
  readonly bombs: GzipBomb[];
  /** List requests so far, by kind (ListRequest.number). */
  readonly listRequests: Record<ListRequest['kind'], number>;
  readonly fault: ((request: ListRequest) => KubernetesFault | undefined) | undefined;
  /** Answers larger than this many bytes are gzip-compressed for clients that accept gzip. */
  readonly compressAbove: number;
  readonly pauseBody: { afterBytes: number; ms: number } | undefined;
}
