/**
 * The layers of src/ (README, "Source map"): every folder has a rank, and a file imports only
 * from its own folder or from a folder of lower rank, so the shared vocabulary (model/) and the
 * helpers never depend on what uses them; and no file imports itself through other files.
 * Imports are read with TypeScript's own scanner: type-only imports, re-exports and dynamic
 * imports count, comments and strings do not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Lowest first. A folder may import only from itself and from folders of a lower rank. */
const RANKS: Readonly<Record<string, number>> = {
  model: 0, // the shared vocabulary: types, compareFindings, shortDigest, the clock
  util: 1, // generic helpers
  images: 2, // pure logic of the vocabulary: references, tag patterns, the registry allow-list
  log: 2,
  metrics: 2, // the metric names and what records them, through the OpenTelemetry API
  config: 3,
  identity: 4,
  storage: 4,
  overrides: 4, // the settings clusters, namespaces and workloads give themselves, resolved (pure)
  clusters: 5,
  inventory: 5,
  registry: 5,
  drift: 5,
  notify: 5,
  alerts: 6,
  scan: 6,
  fanout: 6,
  status: 6, // each cluster's latest status, and the status page
  run: 7, // the composition root
  push: 7, // push-driven checks: ImagePushed events, the push index, the checks they schedule
  functions: 8, // entry points
  cli: 8,
};

type ImportGraph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const toKey = (path: string): string => relative(SRC, path).split(sep).join(posix.sep);

/** Each file of `root` (as `folder/file.ts`) with the files of `root` it imports. */
function importGraph(root: string): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const imported = ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => toKey(join(dirname(file), name.replace(/\.js$/, '.ts'))));
    graph.set(toKey(file), imported);
  }
  return graph;
}

const folderOf = (file: string): string => file.split('/')[0] ?? file;

/** Imports from another folder whose rank is not lower than the importer's. */
function upwardImports(graph: ImportGraph, ranks: Readonly<Record<string, number>>): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    for (const target of imports) {
      const to = folderOf(target);
      if (to === from) continue;
      const [fromRank, toRank] = [ranks[from], ranks[to]];
      if (fromRank === undefined || toRank === undefined || toRank >= fromRank) {
        found.push(`${file} imports ${target}: ${from} (rank ${fromRank ?? '?'}) may not import ${to} (rank ${toRank ?? '?'})`);
      }
    }
  }
  return found;
}

/** The import cycles: each set of files that reach each other (Tarjan's strongly connected components), sorted. */
function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

describe('the layers of src/', () => {
  const graph = importGraph(SRC);

  it('reads every file with every kind of relative import', () => {
    expect(graph.size).toBe(sourceFiles(SRC).length);
    // A type-only import and a file in a subfolder.
    expect(graph.get('alerts/state/stateStore.ts')).toContain('model/alert.ts');
    expect([...graph.values()].flat().every((target) => graph.has(target))).toBe(true);
  });

  it('gives every folder a rank', () => {
    const folders = [...new Set([...graph.keys()].map(folderOf))];
    expect(folders.filter((folder) => RANKS[folder] === undefined)).toEqual([]);
  });

  it('has no import from a folder of the same or a higher rank', () => {
    expect(upwardImports(graph, RANKS)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the layer checks', () => {
  it('report an upward import, one between folders of the same rank, and one from or to a folder without a rank', () => {
    const graph = new Map([
      ['model/a.ts', ['util/b.ts']],
      ['util/b.ts', ['model/a.ts', 'util/c.ts']],
      ['clusters/d.ts', ['inventory/e.ts']],
      ['extra/f.ts', ['model/a.ts']],
    ]);
    expect(upwardImports(graph, RANKS)).toEqual([
      'model/a.ts imports util/b.ts: model (rank 0) may not import util (rank 1)',
      'clusters/d.ts imports inventory/e.ts: clusters (rank 5) may not import inventory (rank 5)',
      'extra/f.ts imports model/a.ts: extra (rank ?) may not import model (rank 0)',
    ]);
  });

  it('report each cycle once, a file importing itself included, and nothing else', () => {
    const graph = new Map([
      ['a/1.ts', ['a/2.ts']],
      ['a/2.ts', ['a/3.ts', 'b/4.ts']],
      ['a/3.ts', ['a/1.ts']],
      ['b/4.ts', ['b/4.ts']],
      ['b/5.ts', ['a/1.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['b/4.ts'], ['a/1.ts', 'a/2.ts', 'a/3.ts']]);
  });
});
