/**
 * The size rules of src/: no file over 300 lines and no function over 60, unless the file's
 * first comment (or the function's doc comment) gives the reason, starting with "Longer than".
 * Functions are measured on the TypeScript syntax tree, from their first to their last line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
const REASON = /Longer than/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Oversize {
  where: string;
  lines: number;
}

function functionName(node: ts.Node): string {
  const named = (node as { name?: ts.Node }).name;
  if (named) return named.getText();
  if (ts.isVariableDeclaration(node.parent)) return node.parent.name.getText();
  if (ts.isPropertyAssignment(node.parent)) return node.parent.name.getText();
  return '(anonymous)';
}

/** The doc comments written right before a function (or the statement that declares it). */
function docOf(node: ts.Node, text: string): string {
  let holder: ts.Node = node;
  while (holder.parent && (ts.isVariableDeclaration(holder.parent) || ts.isVariableDeclarationList(holder.parent) || ts.isVariableStatement(holder.parent) || ts.isPropertyAssignment(holder.parent))) holder = holder.parent;
  return (ts.getLeadingCommentRanges(text, holder.getFullStart()) ?? []).map((r) => text.slice(r.pos, r.end)).join('\n');
}

export function oversized(path: string, text: string): { file?: Oversize; functions: Oversize[] } {
  const where = relative(ROOT, path);
  const lines = text.split('\n').length;
  const firstComment = /^\s*\/\*[\s\S]*?\*\//.exec(text)?.[0] ?? '';
  const file = lines > MAX_FILE_LINES && !REASON.test(firstComment) ? { where, lines } : undefined;
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const functions: Oversize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const count = end - start + 1;
      if (count > MAX_FUNCTION_LINES && !REASON.test(docOf(node, text))) functions.push({ where: `${where}:${start + 1} ${functionName(node)}`, lines: count });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { ...(file ? { file } : {}), functions };
}

describe('source size', () => {
  const results = sourceFiles(join(ROOT, 'src')).map((path) => oversized(path, readFileSync(path, 'utf8')));

  it(`has no file in src/ over ${MAX_FILE_LINES} lines without its reason at the top`, () => {
    expect(results.flatMap((r) => (r.file ? [`${r.file.where}: ${r.file.lines} lines`] : []))).toEqual([]);
  });

  it(`has no function in src/ over ${MAX_FUNCTION_LINES} lines without its reason in its doc comment`, () => {
    expect(results.flatMap((r) => r.functions.map((f) => `${f.where}: ${f.lines} lines`))).toEqual([]);
  });

  it('measures what it claims to (a long function without a reason is found; with one it is not)', () => {
    const body = Array.from({ length: 70 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    expect(oversized(join(ROOT, 'src/x.ts'), `export function long(): void {\n${body}\n}\n`).functions).toEqual([{ where: 'src/x.ts:1 long', lines: 72 }]);
    expect(oversized(join(ROOT, 'src/x.ts'), `/** Longer than 60 lines: a table. */\nexport function long(): void {\n${body}\n}\n`).functions).toEqual([]);
    const arrow = `export const long = (): void => {\n${body}\n};\n`;
    expect(oversized(join(ROOT, 'src/x.ts'), arrow).functions.map((f) => f.where)).toEqual(['src/x.ts:1 long']);
  });
});
