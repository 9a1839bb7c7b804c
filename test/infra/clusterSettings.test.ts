/**
 * The Bicep's `clusters[].settings` become CLUSTER_SETTINGS (infra/main.bicep writes them under
 * each cluster's alias or name), so the type the template declares must have exactly the keys the
 * code reads, and the example parameter file's settings must be accepted by the code's own parser.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLUSTER_SETTING_EXAMPLES, parseClusterSettings } from '../../src/config/clusterSettings.js';
import { descendantsOfType, literalValue, named, objectProperties, paramAssignments, parseBicep, propertyKey, propertyValue } from './bicepSyntax.js';
import type { Node } from './bicepSyntax.js';

const INFRA = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'infra');

/** A literal object, array, string, boolean or number as plain data. */
function literal(node: Node | undefined): unknown {
  if (!node) return undefined;
  if (node.type === 'object') return Object.fromEntries(objectProperties(node).map((p) => [propertyKey(p), literal(propertyValue(p))]));
  if (node.type === 'array') return named(node).filter((c) => c.type !== 'comment').map(literal);
  return literalValue(node);
}

describe('clusters[].settings in the Bicep', () => {
  it('declares exactly the keys CLUSTER_SETTINGS accepts', async () => {
    const doc = await parseBicep(readFileSync(join(INFRA, 'main.bicep'), 'utf8'), 'main.bicep');
    const declaration = descendantsOfType(doc.root, 'type_declaration').find((d) => named(d).some((c) => c.type === 'identifier' && c.text === 'clusterSettingsType'));
    expect(declaration, 'type clusterSettingsType in infra/main.bicep').toBeDefined();
    const body = named(declaration!).find((c) => c.type === 'object');
    const keys = objectProperties(body!).map(propertyKey).sort();
    expect(keys).toEqual(Object.keys(CLUSTER_SETTING_EXAMPLES).sort());
  });

  it('gives settings in main.bicepparam that the code accepts, keyed as the template writes them', async () => {
    const doc = await parseBicep(readFileSync(join(INFRA, 'main.bicepparam'), 'utf8'), 'main.bicepparam');
    const clusters = literal(paramAssignments(doc).get('clusters')) as { name: string; alias?: string; settings?: object }[];
    const written = Object.fromEntries(clusters.filter((c) => c.settings).map((c) => [c.alias ?? c.name, c.settings]));
    expect(Object.keys(written).length).toBeGreaterThan(0);
    const parsed = parseClusterSettings(JSON.stringify(written));
    for (const [key, settings] of Object.entries(written)) expect(Object.keys(parsed[key]!).sort()).toEqual(Object.keys(settings!).sort());
  });
});
