/** A container image reference from a pod spec, as the parser (images/imageReference.ts) reads it. */
export interface ImageReference {
  valid: true;
  /** The string from the pod spec, unchanged. */
  original: string;
  /** Registry host, lower-cased, with port when given: `docker.io` for Docker Hub short names. */
  registry: string;
  /** Repository path inside the registry: `library/nginx` for `nginx` on Docker Hub. */
  repository: string;
  /** Tag; `latest` when the reference has neither tag nor digest. Undefined when pinned by digest only. */
  tag?: string;
  /** `sha256:...` when the reference carries a digest. */
  digest?: string;
  /** Fully qualified form: `registry/repository[:tag][@digest]`. */
  normalized: string;
}

export interface InvalidImageReference {
  valid: false;
  original: string;
  /** Why it is not a valid reference, e.g. `repository name must be lowercase`. */
  error: string;
}

export type ParsedImageReference = ImageReference | InvalidImageReference;
