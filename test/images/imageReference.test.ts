import { describe, expect, it } from 'vitest';
import { digestError, isValidRegistryHost, parseImageId, parseImageReference } from '../../src/images/imageReference.js';

const D = `sha256:${'a'.repeat(64)}`;
const E = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageReference: valid references', () => {
  it.each([
    // Docker Hub short names
    ['nginx', 'docker.io', 'library/nginx', 'latest', undefined, 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io', 'library/nginx', '1.25', undefined, 'docker.io/library/nginx:1.25'],
    ['bitnami/redis', 'docker.io', 'bitnami/redis', 'latest', undefined, 'docker.io/bitnami/redis:latest'],
    ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2', undefined, 'docker.io/bitnami/redis:7.2'],
    ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest', undefined, 'docker.io/library/nginx:latest'],
    ['docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', undefined, 'docker.io/library/nginx:1'],
    ['index.docker.io/nginx:1', 'docker.io', 'library/nginx', '1', undefined, 'docker.io/library/nginx:1'],
    ['index.docker.io/bitnami/redis', 'docker.io', 'bitnami/redis', 'latest', undefined, 'docker.io/bitnami/redis:latest'],
    // a first component without "." or ":" is a Docker Hub namespace, not a registry
    ['team/app/api:1', 'docker.io', 'team/app/api', '1', undefined, 'docker.io/team/app/api:1'],
    // registries
    ['myacr.azurecr.io/app:prod-1', 'myacr.azurecr.io', 'app', 'prod-1', undefined, 'myacr.azurecr.io/app:prod-1'],
    ['a.azurecr.io/team/app/api:prod-1', 'a.azurecr.io', 'team/app/api', 'prod-1', undefined, 'a.azurecr.io/team/app/api:prod-1'],
    ['MyAcr.AzureCR.io/app:prod-1', 'myacr.azurecr.io', 'app', 'prod-1', undefined, 'myacr.azurecr.io/app:prod-1'],
    ['myreg.example.com:5000/a/b:tag', 'myreg.example.com:5000', 'a/b', 'tag', undefined, 'myreg.example.com:5000/a/b:tag'],
    ['localhost:5000/x', 'localhost:5000', 'x', 'latest', undefined, 'localhost:5000/x:latest'],
    ['localhost/x:1', 'localhost', 'x', '1', undefined, 'localhost/x:1'],
    ['[::1]:5000/x:1', '[::1]:5000', 'x', '1', undefined, '[::1]:5000/x:1'],
    ['10.0.0.1:5000/ns/x', '10.0.0.1:5000', 'ns/x', 'latest', undefined, '10.0.0.1:5000/ns/x:latest'],
    // an uppercase first component is a registry (distribution's rule), lower-cased
    ['MyRegistry/app:1', 'myregistry', 'app', '1', undefined, 'myregistry/app:1'],
    // "localhost:5000" without a slash is Docker Hub's "localhost" at tag 5000
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined, 'docker.io/library/localhost:5000'],
    // separators in path components
    ['r.io/a.b/c_d/e__f/g---h:v1', 'r.io', 'a.b/c_d/e__f/g---h', 'v1', undefined, 'r.io/a.b/c_d/e__f/g---h:v1'],
    // tags
    ['r.io/app:_x', 'r.io', 'app', '_x', undefined, 'r.io/app:_x'],
    ['r.io/app:Prod-1.2_3', 'r.io', 'app', 'Prod-1.2_3', undefined, 'r.io/app:Prod-1.2_3'],
    [`r.io/app:${'t'.repeat(128)}`, 'r.io', 'app', 't'.repeat(128), undefined, `r.io/app:${'t'.repeat(128)}`],
    // digests
    [`r.io/app@${D}`, 'r.io', 'app', undefined, D, `r.io/app@${D}`],
    [`nginx@${E}`, 'docker.io', 'library/nginx', undefined, E, `docker.io/library/nginx@${E}`],
    [`r.io/app:prod-1@${D}`, 'r.io', 'app', 'prod-1', D, `r.io/app:prod-1@${D}`],
    [`localhost:5000/app:1@${D}`, 'localhost:5000', 'app', '1', D, `localhost:5000/app:1@${D}`],
    [`r.io/app@sha512:${'b'.repeat(128)}`, 'r.io', 'app', undefined, `sha512:${'b'.repeat(128)}`, `r.io/app@sha512:${'b'.repeat(128)}`],
  ])('%s', (input, registry, repository, tag, digest, normalized) => {
    const parsed = parseImageReference(input);
    expect(parsed).toEqual({
      valid: true,
      original: input,
      registry,
      repository,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
      normalized,
    });
  });

  it('omits tag and digest properties that are not there', () => {
    const parsed = parseImageReference(`r.io/app@${D}`);
    expect(parsed.valid && 'tag' in parsed).toBe(false);
    const tagged = parseImageReference('r.io/app:1');
    expect(tagged.valid && 'digest' in tagged).toBe(false);
  });

  it('accepts a name of exactly 255 characters', () => {
    const repository = 'a'.repeat(255 - 'r.io/'.length);
    const parsed = parseImageReference(`r.io/${repository}:1`);
    expect(parsed.valid).toBe(true);
  });
});

describe('parseImageReference: invalid references', () => {
  it.each([
    ['', /empty/],
    ['   ', /whitespace/],
    ['r.io/app :1', /whitespace/],
    ['Nginx', /repository name "Nginx" must be lowercase/],
    ['r.io/MyApp:1', /repository name "MyApp" must be lowercase/],
    ['bitnami/Redis', /must be lowercase/],
    ['r.io/app:', /tag after ":" is empty/],
    ['r.io/app:bad/tag', /tag "bad\/tag" is invalid/],
    ['r.io/app:-lead', /tag "-lead" is invalid/],
    ['r.io/app:.lead', /tag "\.lead" is invalid/],
    ['r.io/app:a+b', /tag "a\+b" is invalid/],
    ['r.io/app:1:2', /tag "1:2" is invalid/],
    [`r.io/app:${'t'.repeat(129)}`, /tag is 129 characters long; the limit is 128/],
    ['r.io/app@', /digest after "@" is empty/],
    ['r.io/app@sha256', /must have the form algorithm:hex/],
    ['r.io/app@sha256:abc', /malformed/],
    [`r.io/app@sha256:${'a'.repeat(63)}`, /sha256 digest must have 64 hex digits, got 63/],
    [`r.io/app@sha256:${'A'.repeat(64)}`, /lowercase hex/],
    [`r.io/app@md5:${'a'.repeat(32)}`, /unsupported digest algorithm "md5"/],
    [`r.io/app@${D}@${D}`, /more than one "@"/],
    [`@${D}`, /repository name is empty/],
    ['r.io/', /repository name is empty/],
    ['r.io//app', /empty path component/],
    ['r.io/app/', /empty path component/],
    ['r.io/-app', /path component "-app" is invalid/],
    ['r.io/a..b', /path component "a\.\.b" is invalid/],
    ['r.io/a___b', /path component "a___b" is invalid/],
    ['my_reg.io/app', /registry "my_reg\.io" is not a valid host/],
    ['r.io:port/app', /registry "r\.io:port" is not a valid host/],
    ['-r.io/app', /registry "-r\.io" is not a valid host/],
    ['a'.repeat(64), /hexadecimal image ID/],
    [`r.io/${'a'.repeat(251)}`, /repository name is 256 characters long; the limit is 255/],
    [`${'a'.repeat(250)}`, /repository name is 268 characters long/], // counts docker.io/library/
  ])('%j → %s', (input, error) => {
    const parsed = parseImageReference(input);
    expect(parsed.valid).toBe(false);
    if (parsed.valid) return;
    expect(parsed.original).toBe(input);
    expect(parsed.error).toMatch(error);
  });

  it('never throws, whatever it is given', () => {
    for (const input of ['@', ':', '/', '::', '[', '[::1', '[::1]/', 'a@b@c', '\u00e9t\u00e9/app', '\n']) {
      expect(() => parseImageReference(input)).not.toThrow();
      expect(parseImageReference(input).valid).toBe(false);
    }
    expect(parseImageReference(undefined as unknown as string)).toMatchObject({ valid: false, error: 'image reference is empty' });
  });
});

describe('parseImageReference: long invalid references', () => {
  const MB = 1024 * 1024;
  it.each([
    ['a digest', `r.io/app@sha256:${'z'.repeat(MB)}`, /^digest "sha256:z+…" \(1048583 characters\) is malformed/],
    ['a tag', `r.io/app:${'t'.repeat(100)}+${'t'.repeat(MB)}`, /tag is 1048677 characters long; the limit is 128/],
    ['a digest algorithm', `r.io/app@${'m'.repeat(MB)}:${'a'.repeat(64)}`, /^unsupported digest algorithm "m+…" \(1048576 characters\)/],
    ['a repository name', `r.io/${'A'.repeat(MB)}:1`, /^repository name "A+…" \(1048576 characters\) must be lowercase$/],
    ['a path component', `r.io/${'-'.repeat(MB)}`, /^repository path component "-+…" \(1048576 characters\) is invalid/],
    ['a registry', `${'_'.repeat(MB)}.io/app`, /^registry "_+…" \(1048579 characters\) is not a valid host/],
  ])('quotes only the start of %s in the reason', (_label, input, error) => {
    const parsed = parseImageReference(input);
    expect(parsed.valid).toBe(false);
    if (parsed.valid) return;
    expect(parsed.error).toMatch(error);
    expect(parsed.error.length).toBeLessThan(250);
  });
});

describe('isValidRegistryHost', () => {
  it.each([
    ['myacr.azurecr.io', true],
    ['localhost', true],
    ['localhost:5000', true],
    ['10.0.0.1:443', true],
    ['[::1]:5000', true],
    ['[fe80::1]', true],
    ['my_reg.io', false],
    ['reg.io:', false],
    ['reg.io:abc', false],
    ['reg..io', false],
    ['', false],
  ])('%s → %s', (host, valid) => {
    expect(isValidRegistryHost(host)).toBe(valid);
  });
});

describe('digestError', () => {
  it.each([
    [D, undefined],
    [`sha384:${'c'.repeat(96)}`, undefined],
    [`sha256:${'c'.repeat(65)}`, /64 hex digits, got 65/],
    ['sha256:', /algorithm:hex/],
    [`:${'a'.repeat(64)}`, /algorithm:hex/],
    [`sha256:${'g'.repeat(64)}`, /malformed/],
  ])('%s', (digest, expected) => {
    const error = digestError(digest);
    if (expected === undefined) expect(error).toBeUndefined();
    else expect(error).toMatch(expected);
  });
});

describe('parseImageId', () => {
  it.each([
    [`docker-pullable://myacr.azurecr.io/app@${D}`, D],
    [`myacr.azurecr.io/app@${D}`, D],
    [`docker.io/library/nginx@${E}`, E],
    [`localhost:5000/app@${D}`, D],
    [`  myacr.azurecr.io/app@${D}  `, D],
    [`docker://sha256:${'a'.repeat(64)}`, undefined],
    [`sha256:${'a'.repeat(64)}`, undefined],
    ['', undefined],
    [`@${D}`, undefined],
    ['myacr.azurecr.io/app@sha256:short', undefined],
    [`myacr.azurecr.io/app@sha256:${'A'.repeat(64)}`, undefined],
    ['myacr.azurecr.io/app:prod-1', undefined],
  ])('%j → %s', (imageId, expected) => {
    expect(parseImageId(imageId)).toBe(expected);
  });
});
