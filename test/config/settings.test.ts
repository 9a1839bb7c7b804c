/**
 * The settings table against the files that repeat it for people: local.settings.example.json and
 * the README's Configuration table say the same defaults as the rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, CONFIG_VARIABLES, readSetting } from '../../src/config/settings.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the settings table', () => {
  it('parses every default', () => {
    for (const [variable, text] of Object.entries(CONFIG_DEFAULTS)) {
      expect(() => readSetting(variable as keyof typeof CONFIG_DEFAULTS, text), variable).not.toThrow();
    }
  });

  it('has the defaults local.settings.example.json sets', () => {
    const local = (JSON.parse(readFileSync(join(ROOT, 'local.settings.example.json'), 'utf8')) as { Values: Record<string, string> }).Values;
    for (const [variable, text] of Object.entries(CONFIG_DEFAULTS)) expect(local[variable], variable).toBe(text);
  });

  it("has the defaults of the README's Configuration table, which names every variable", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    for (const variable of CONFIG_VARIABLES) {
      const row = rows.find((line) => line.split('|')[1]?.includes(`\`${variable}\``));
      expect(row, variable).toBeDefined();
      const fallback = (CONFIG_DEFAULTS as Partial<Record<string, string>>)[variable];
      // The namespaces' cell sums up a list of 14.
      if (fallback !== undefined && variable !== 'EXCLUDED_NAMESPACES') expect(row?.split('|').at(-2), variable).toContain(`\`${fallback}\``);
    }
  });
});
