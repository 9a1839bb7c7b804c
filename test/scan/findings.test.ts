import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/images/imageReference.js';
import type { WorkloadContainer } from '../../src/model/workload.js';
import { REPORT_IMAGE_MAX, buildFinding } from '../../src/scan/findings.js';

function container(image: string): WorkloadContainer {
  return { namespace: 'team', workload: { kind: 'Deployment', name: 'api' }, container: 'app', initContainer: false, image, pods: 1 };
}

describe('buildFinding', () => {
  it('keeps a valid image reference whole', () => {
    const image = `myacr.azurecr.io/${'a'.repeat(200)}:${'t'.repeat(128)}@sha512:${'0'.repeat(128)}`;
    const finding = buildFinding(container(image), parseImageReference(image), { status: 'in-sync' }, null);
    expect(finding.image).toBe(image);
  });

  it('keeps three 1 MB image references out of the report: the start of each, marked as cut', () => {
    const MB = 1024 * 1024;
    const images = [`r.io/app:${'t'.repeat(MB)}`, `r.io/app@sha256:${'z'.repeat(MB)}`, `r.io/${'A'.repeat(MB)}`];
    const findings = images.map((image) => {
      const reference = parseImageReference(image);
      const reason = reference.valid ? 'valid' : `invalid image reference: ${reference.error}`;
      return buildFinding(container(image), reference, { status: 'untracked', reason }, null);
    });
    for (const [i, finding] of findings.entries()) {
      expect(finding.image).toBe(`${images[i]?.slice(0, REPORT_IMAGE_MAX)}… (${images[i]?.length} characters)`);
      expect(finding.reason?.length).toBeLessThan(300);
    }
    expect(JSON.stringify(findings).length).toBeLessThan(4_000);
  });
});
