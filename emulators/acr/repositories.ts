/**
 * What the ACR emulator serves: each repository's tags (sorted once per order and again only
 * after a change, so repositories with hundreds of tags cost little per request), the manifest
 * attributes, and the JSON shapes ACR answers them with.
 */

export interface AcrTagSeed {
  name: string;
  /** `sha256:<64 hex>` */
  digest: string;
  /** ISO-8601; defaults to `lastUpdateTime`. */
  createdTime?: string;
  /** ISO-8601. */
  lastUpdateTime: string;
}

export interface AcrManifestReference {
  digest: string;
  architecture?: string;
  os?: string;
}

export interface AcrManifestSeed {
  /** Present for multi-arch indexes (OCI index / Docker manifest list). */
  references?: AcrManifestReference[];
  /** For single-platform manifests; default `amd64`/`linux` when there are no references. */
  architecture?: string;
  os?: string;
  imageSize?: number;
}

export interface TagRecord {
  name: string;
  digest: string;
  createdTime: string;
  lastUpdateTime: string;
  /** Milliseconds since epoch of lastUpdateTime, for sorting. */
  updatedMs: number;
}

export type TagOrder = 'timedesc' | 'timeasc' | 'name';

export interface SortedView {
  tags: TagRecord[];
  indexByName: Map<string, number>;
}

export class RepositoryState {
  readonly byName = new Map<string, TagRecord>();
  private views = new Map<TagOrder, SortedView>();

  constructor(tags: AcrTagSeed[]) {
    for (const t of tags) this.put(t);
  }

  put(seed: AcrTagSeed): void {
    const updatedMs = Date.parse(seed.lastUpdateTime);
    if (Number.isNaN(updatedMs)) throw new Error(`acrRegistry: bad lastUpdateTime for tag ${seed.name}: ${seed.lastUpdateTime}`);
    this.byName.set(seed.name, {
      name: seed.name,
      digest: seed.digest,
      createdTime: seed.createdTime ?? seed.lastUpdateTime,
      lastUpdateTime: seed.lastUpdateTime,
      updatedMs,
    });
    this.views.clear();
  }

  /** Sorted once per order and cached until the next change. */
  view(order: TagOrder): SortedView {
    let v = this.views.get(order);
    if (!v) {
      const tags = [...this.byName.values()];
      const byName = (a: TagRecord, b: TagRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      if (order === 'name') tags.sort(byName);
      else if (order === 'timedesc') tags.sort((a, b) => b.updatedMs - a.updatedMs || byName(a, b));
      else tags.sort((a, b) => a.updatedMs - b.updatedMs || byName(a, b));
      v = { tags, indexByName: new Map(tags.map((t, i) => [t.name, i])) };
      this.views.set(order, v);
    }
    return v;
  }

  tagsForDigest(digest: string): TagRecord[] {
    return this.view('name').tags.filter((t) => t.digest === digest);
  }
}

export const CHANGEABLE_ATTRIBUTES = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true } as const;

export function tagJson(t: TagRecord) {
  return {
    name: t.name,
    digest: t.digest,
    createdTime: t.createdTime,
    lastUpdateTime: t.lastUpdateTime,
    signed: false,
    changeableAttributes: { ...CHANGEABLE_ATTRIBUTES },
  };
}

