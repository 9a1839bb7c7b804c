/**
 * Offline Bicep parsing for the infra tests: the tree-sitter Bicep grammar (npm tree-sitter-bicep,
 * which ships tree-sitter-bicep.wasm) loaded into web-tree-sitter. No Bicep CLI is needed.
 *
 * The grammar (1.1.0) has no rule for the type-less `param name = value` assignments of
 * .bicepparam files. For those files the loader rewrites the leading `param` keyword to `var  `
 * (same length, so every reported line and column stays exact) and remembers which rows were
 * rewritten; `paramAssignments()` maps them back.
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import type { Node, Tree } from 'web-tree-sitter';

export type { Node } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

export interface BicepDocument {
  /** Name used in messages (a path relative to the repository, or a label for in-memory text). */
  readonly file: string;
  readonly kind: 'bicep' | 'bicepparam';
  /** The text as written (before the .bicepparam keyword rewrite). */
  readonly source: string;
  readonly tree: Tree;
  readonly root: Node;
  /** 0-based rows whose `param` keyword was rewritten to `var  ` (.bicepparam only). */
  readonly paramRows: ReadonlySet<number>;
}

export interface SyntaxProblem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly kind: 'ERROR' | 'MISSING';
  /** The offending text (or the missing token's type), trimmed to one line. */
  readonly text: string;
}

let parserPromise: Promise<Parser> | undefined;

/** Path of the grammar's WebAssembly build inside node_modules. */
export function bicepWasmPath(): string {
  return require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm');
}

/** One parser per test worker; the WebAssembly runtime is initialised once. */
export function loadBicepParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const language = await Language.load(bicepWasmPath());
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

const PARAM_KEYWORD = /^([ \t]*)param(?=[ \t])/gm;

export async function parseBicep(source: string, file = 'inline.bicep'): Promise<BicepDocument> {
  const kind = file.endsWith('.bicepparam') ? 'bicepparam' : 'bicep';
  const paramRows = new Set<number>();
  let text = source;
  if (kind === 'bicepparam') {
    text = source.replace(PARAM_KEYWORD, (match: string, indent: string, offset: number) => {
      paramRows.add(rowOf(source, offset));
      return `${indent}var  `;
    });
  }
  const parser = await loadBicepParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
  return { file, kind, source, tree, root: tree.rootNode, paramRows };
}

function rowOf(text: string, offset: number): number {
  let row = 0;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) row++;
  return row;
}

/** The first ERROR or MISSING node in document order, or undefined when the file parses cleanly. */
export function firstSyntaxProblem(doc: BicepDocument): SyntaxProblem | undefined {
  if (!doc.root.hasError) return undefined;
  for (const node of walk(doc.root)) {
    if (node.isError || node.isMissing) {
      const text = node.isMissing ? node.type : (node.text.split('\n')[0] ?? '').slice(0, 60);
      return {
        file: doc.file,
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? 'MISSING' : 'ERROR',
        text,
      };
    }
  }
  // hasError without a located node should not happen; report the root.
  return { file: doc.file, line: 1, column: 1, kind: 'ERROR', text: '' };
}

export function formatSyntaxProblem(p: SyntaxProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.kind === 'MISSING' ? `missing ${p.text}` : `syntax error near ${JSON.stringify(p.text)}`}`;
}

// ---------------------------------------------------------------------------------------------
// Tree helpers
// ---------------------------------------------------------------------------------------------

/** Pre-order walk over every node (named and anonymous). */
export function* walk(node: Node): Generator<Node> {
  yield node;
  for (const child of node.children) if (child) yield* walk(child);
}

export function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment' && c.type !== 'diagnostic_comment');
}

export function descendantsOfType(node: Node, type: string): Node[] {
  const out: Node[] = [];
  for (const n of walk(node)) if (n.type === type) out.push(n);
  return out;
}

/** `file:line:column` of a node, 1-based. */
export function where(doc: BicepDocument, node: Node): string {
  return `${doc.file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

/** The literal value of a string node without interpolation; undefined otherwise. */
export function stringLiteral(node: Node | undefined | null): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  let out = '';
  for (const child of named(node)) {
    if (child.type === 'string_content') out += child.text;
    else if (child.type === 'escape_sequence') out += unescape(child.text);
    else return undefined; // interpolation
  }
  return out;
}

function unescape(seq: string): string {
  switch (seq) {
    case "\\'":
      return "'";
    case '\\\\':
      return '\\';
    case '\\n':
      return '\n';
    case '\\r':
      return '\r';
    case '\\t':
      return '\t';
    case '\\$':
      return '$';
    default:
      return seq;
  }
}

/** Literal string, boolean or number value of an expression node. */
export function literalValue(node: Node | undefined | null): string | boolean | number | undefined {
  if (!node) return undefined;
  if (node.type === 'string') return stringLiteral(node);
  if (node.type === 'boolean') return node.text === 'true';
  if (node.type === 'number') return Number(node.text);
  return undefined;
}

/** Key of an object_property (identifier or quoted string). */
export function propertyKey(prop: Node): string | undefined {
  const key = named(prop)[0];
  if (!key) return undefined;
  if (key.type === 'identifier' || key.type === 'compatible_identifier') return key.text;
  if (key.type === 'string') return stringLiteral(key);
  return undefined;
}

/** Value node of an object_property (the node after the colon). */
export function propertyValue(prop: Node): Node | undefined {
  const parts = named(prop);
  return parts.length >= 2 ? parts[parts.length - 1] : undefined;
}

export function objectProperties(obj: Node): Node[] {
  return named(obj).filter((c) => c.type === 'object_property');
}

/** Value of `key` in an object node, or undefined. */
export function getProperty(obj: Node | undefined, key: string): Node | undefined {
  if (!obj || obj.type !== 'object') return undefined;
  for (const prop of objectProperties(obj)) if (propertyKey(prop) === key) return propertyValue(prop);
  return undefined;
}

/** Follow a property path through nested object literals. */
export function getPath(obj: Node | undefined, path: readonly string[]): Node | undefined {
  let current = obj;
  for (const key of path) current = getProperty(current, key);
  return current;
}

/** Name of the function of a call_expression (`guid`, `resourceGroup`, `az.resourceGroup` -> `resourceGroup`). */
export function calleeName(call: Node): string | undefined {
  if (call.type !== 'call_expression') return undefined;
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  if (fn.type === 'member_expression') return fn.childForFieldName('property')?.text;
  return fn.text;
}

export function callArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  return args ? named(args) : [];
}

// ---------------------------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------------------------

export interface ResourceDecl {
  readonly node: Node;
  readonly symbol: string;
  /** e.g. `Microsoft.Storage/storageAccounts@2023-05-01`, or `config` for a nested child. */
  readonly type: string;
  readonly existing: boolean;
  /** The object literal of the resource (inside `if (...)` or a `for` body). */
  readonly body: Node | undefined;
  readonly conditional: boolean;
  readonly looped: boolean;
  /** Symbol of the enclosing resource for nested declarations. */
  readonly parentSymbol: string | undefined;
}

function declarationBody(decl: Node): { body: Node | undefined; conditional: boolean; looped: boolean } {
  for (const child of named(decl)) {
    if (child.type === 'object') return { body: child, conditional: false, looped: false };
    if (child.type === 'if_statement') {
      return { body: named(child).find((c) => c.type === 'object'), conditional: true, looped: false };
    }
    if (child.type === 'for_statement') {
      const body = child.childForFieldName('body');
      if (body?.type === 'if_statement') {
        return { body: named(body).find((c) => c.type === 'object'), conditional: true, looped: true };
      }
      return { body: body ?? undefined, conditional: false, looped: true };
    }
  }
  return { body: undefined, conditional: false, looped: false };
}

export function resources(doc: BicepDocument): ResourceDecl[] {
  const out: ResourceDecl[] = [];
  for (const node of walk(doc.root)) {
    if (node.type !== 'resource_declaration') continue;
    const parts = named(node);
    const symbol = parts.find((c) => c.type === 'identifier')?.text ?? '';
    const type = stringLiteral(parts.find((c) => c.type === 'string')) ?? '';
    const existing = node.children.some((c) => c?.type === 'existing');
    let parentSymbol: string | undefined;
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'resource_declaration') {
        parentSymbol = named(p).find((c) => c.type === 'identifier')?.text;
        break;
      }
    }
    out.push({ node, symbol, type, existing, ...declarationBody(node), parentSymbol });
  }
  return out;
}

/** Resources whose type starts with `prefix` (e.g. `Microsoft.Storage/storageAccounts@`). */
export function resourcesOfType(doc: BicepDocument, prefix: string, opts: { existing?: boolean } = {}): ResourceDecl[] {
  return resources(doc).filter(
    (r) => r.type.toLowerCase().startsWith(prefix.toLowerCase()) && (opts.existing === undefined || r.existing === opts.existing),
  );
}

export interface ModuleDecl {
  readonly node: Node;
  readonly symbol: string;
  readonly path: string;
  readonly body: Node | undefined;
  readonly looped: boolean;
}

export function modules(doc: BicepDocument): ModuleDecl[] {
  return descendantsOfType(doc.root, 'module_declaration').map((node) => {
    const parts = named(node);
    const { body, looped } = declarationBody(node);
    return {
      node,
      symbol: parts.find((c) => c.type === 'identifier')?.text ?? '',
      path: stringLiteral(parts.find((c) => c.type === 'string')) ?? '',
      body,
      looped,
    };
  });
}

/** Decorator names written directly above a declaration (`secure`, `description`, ...). */
export function decoratorNames(decl: Node): string[] {
  const prev = decl.previousNamedSibling;
  if (!prev || prev.type !== 'decorators') return [];
  return named(prev)
    .map((d) => named(d)[0])
    .filter((c): c is Node => c !== undefined)
    .map((c) => (c.type === 'call_expression' ? (calleeName(c) ?? '') : c.text));
}

export interface ParamDecl {
  readonly node: Node;
  readonly name: string;
  readonly secure: boolean;
  readonly defaultValue: Node | undefined;
  /** Type is nullable (`string?`), so the parameter is optional without a default. */
  readonly nullable: boolean;
}

export function parameters(doc: BicepDocument): ParamDecl[] {
  return doc.root.namedChildren
    .filter((n): n is Node => n?.type === 'parameter_declaration')
    .map((node) => {
      const parts = named(node);
      const typeNode = parts.find((c) => c.type === 'type');
      const eqIndex = node.children.findIndex((c) => c?.type === '=');
      const defaultValue = eqIndex >= 0 ? (node.children.slice(eqIndex + 1).find((c) => c?.isNamed) ?? undefined) : undefined;
      return {
        node,
        name: parts.find((c) => c.type === 'identifier')?.text ?? '',
        secure: decoratorNames(node).includes('secure'),
        defaultValue: defaultValue ?? undefined,
        nullable: typeNode ? named(typeNode).some((c) => c.type === 'nullable_type') : false,
      };
    });
}

/** Top-level `var name = expression` declarations. */
export function variables(doc: BicepDocument): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const node of doc.root.namedChildren) {
    if (node?.type !== 'variable_declaration') continue;
    if (doc.paramRows.has(node.startPosition.row)) continue;
    const parts = named(node);
    const name = parts[0]?.type === 'identifier' ? parts[0].text : undefined;
    const value = parts[parts.length - 1];
    if (name && value && parts.length >= 2) out.set(name, value);
  }
  return out;
}

/** The `param name = value` assignments of a .bicepparam file. */
export function paramAssignments(doc: BicepDocument): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const node of doc.root.namedChildren) {
    if (node?.type !== 'variable_declaration' || !doc.paramRows.has(node.startPosition.row)) continue;
    const parts = named(node);
    const name = parts[0]?.type === 'identifier' ? parts[0].text : undefined;
    const value = parts[parts.length - 1];
    if (name && value && parts.length >= 2) out.set(name, value);
  }
  return out;
}

export function usingPath(doc: BicepDocument): string | undefined {
  const stmt = doc.root.namedChildren.find((n) => n?.type === 'using_statement');
  return stmt ? stringLiteral(named(stmt).find((c) => c.type === 'string')) : undefined;
}

export function targetScope(doc: BicepDocument): string | undefined {
  const stmt = doc.root.namedChildren.find((n) => n?.type === 'target_scope_assignment');
  return stmt ? stringLiteral(named(stmt).find((c) => c.type === 'string')) : undefined;
}

export interface OutputDecl {
  readonly node: Node;
  readonly name: string;
  readonly value: Node | undefined;
  readonly decorators: string[];
}

export function outputs(doc: BicepDocument): OutputDecl[] {
  return doc.root.namedChildren
    .filter((n): n is Node => n?.type === 'output_declaration')
    .map((node) => {
      const parts = named(node);
      return {
        node,
        name: parts.find((c) => c.type === 'identifier')?.text ?? '',
        value: parts[parts.length - 1],
        decorators: decoratorNames(node),
      };
    });
}

/** Comments that start on the same row as `node` ends (trailing `// ...`). */
export function trailingComments(node: Node): string[] {
  const row = node.endPosition.row;
  const out: string[] = [];
  // Trailing comments are attached as siblings of the enclosing statement or property.
  for (let n: Node | null = node; n; n = n.parent) {
    for (let s = n.nextSibling; s && s.startPosition.row === row; s = s.nextSibling) {
      if (s.type === 'comment') out.push(s.text.replace(/^\/\/\s*/, '').replace(/^\/\*\s*|\s*\*\/$/g, '').trim());
    }
    if (n.type === 'infrastructure') break;
  }
  return out;
}
