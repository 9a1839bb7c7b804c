/**
 * Structural checks of the Bicep in infra/, run on syntax trees (see bicepSyntax.ts). Every check
 * returns a list of problems (empty = passes) so the tests can show all of them at once and can
 * prove, on deliberately broken in-memory snippets, that each check really fails.
 */
import {
  callArguments,
  calleeName,
  descendantsOfType,
  firstSyntaxProblem,
  formatSyntaxProblem,
  getPath,
  getProperty,
  literalValue,
  modules,
  named,
  objectProperties,
  outputs,
  paramAssignments,
  parameters,
  propertyKey,
  propertyValue,
  resources,
  resourcesOfType,
  stringLiteral,
  trailingComments,
  usingPath,
  variables,
  walk,
  where,
} from './bicepSyntax.js';
import type { BicepDocument, Node, ResourceDecl } from './bicepSyntax.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments@';
const KEY_VAULT_SECRET = 'Microsoft.KeyVault/vaults/secrets@';

export function checkSyntax(doc: BicepDocument): string[] {
  const problem = firstSyntaxProblem(doc);
  return problem ? [formatSyntaxProblem(problem)] : [];
}

// ---------------------------------------------------------------------------------------------
// Role definitions
// ---------------------------------------------------------------------------------------------

/** Lower-case letters and digits only, for comparing role names with identifiers and comments. */
function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** `storageBlobDataOwnerRoleId` -> `storageBlobDataOwner`. */
function stripRoleSuffix(identifier: string): string {
  return identifier.replace(/(RoleDefinitionId|RoleDefinition|RoleId|Id)$/i, '');
}

/**
 * Labels written beside a GUID literal: a trailing comment on the same line, the key of the object
 * property holding it, or the name of the variable holding it.
 */
function labelsOf(guidNode: Node): { comments: string[]; names: string[] } {
  const comments = trailingComments(guidNode);
  const names: string[] = [];
  const parent = guidNode.parent;
  if (parent?.type === 'object_property') {
    const key = propertyKey(parent);
    if (key) names.push(key);
  } else if (parent?.type === 'variable_declaration') {
    const id = named(parent)[0];
    if (id?.type === 'identifier') names.push(stripRoleSuffix(id.text));
  }
  return { comments, names };
}

/**
 * Every GUID literal in a .bicep file is a role definition ID: it must be one of `roles`
 * (GUID -> built-in role name), and the role name written beside it (trailing comment, property
 * key or variable name) must be that role's name.
 */
export function checkRoleGuids(doc: BicepDocument, roles: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const known = new Map(Object.entries(roles).map(([guid, name]) => [guid.toLowerCase(), name]));
  const byName = new Map([...known.values()].map((name) => [normalise(name), name]));
  for (const node of descendantsOfType(doc.root, 'string')) {
    const value = stringLiteral(node);
    if (value === undefined || !GUID.test(value)) continue;
    const role = known.get(value.toLowerCase());
    if (!role) {
      problems.push(`${where(doc, node)}: GUID ${value} is not a documented built-in role`);
      continue;
    }
    const { comments, names } = labelsOf(node);
    const labels = [...comments, ...names];
    const matching = labels.filter((l) => normalise(l) === normalise(role));
    const otherRoles = labels.map((l) => byName.get(normalise(l))).filter((n): n is string => n !== undefined && n !== role);
    if (otherRoles.length > 0) {
      problems.push(`${where(doc, node)}: GUID ${value} is ${role}, but is labelled ${otherRoles.join(', ')}`);
    } else if (matching.length === 0) {
      problems.push(
        `${where(doc, node)}: GUID ${value} (${role}) has no label naming the role (found: ${labels.length ? labels.map((l) => JSON.stringify(l)).join(', ') : 'none'}); add a trailing comment \`// ${role}\``,
      );
    }
  }
  return problems;
}

/** GUID literals reachable from an expression through variables, ternaries and subscriptionResourceId(). */
function resolveGuids(doc: BicepDocument, expr: Node | undefined, vars: Map<string, Node>, seen = new Set<string>()): (string | Node)[] {
  if (!expr) return [];
  switch (expr.type) {
    case 'string': {
      const value = stringLiteral(expr);
      return value !== undefined && GUID.test(value) ? [value] : [expr];
    }
    case 'identifier': {
      const value = vars.get(expr.text);
      if (!value || seen.has(expr.text)) return [expr];
      return resolveGuids(doc, value, vars, new Set([...seen, expr.text]));
    }
    case 'parenthesized_expression':
      return named(expr).flatMap((c) => resolveGuids(doc, c, vars, seen));
    case 'ternary_expression':
      return [expr.childForFieldName('consequence'), expr.childForFieldName('alternative')].flatMap((c) =>
        resolveGuids(doc, c ?? undefined, vars, seen),
      );
    case 'call_expression': {
      const args = callArguments(expr);
      const name = calleeName(expr);
      if ((name === 'subscriptionResourceId' || name === 'resourceId' || name === 'tenantResourceId') && args.length >= 2) {
        const type = stringLiteral(args[args.length - 2]);
        if (type?.toLowerCase() === 'microsoft.authorization/roledefinitions') return resolveGuids(doc, args[args.length - 1], vars, seen);
      }
      return [expr];
    }
    default:
      return [expr];
  }
}

/** GUIDs of every role assigned in a document (for coverage checks). */
export function assignedRoleGuids(doc: BicepDocument): string[] {
  const vars = variables(doc);
  return resourcesOfType(doc, ROLE_ASSIGNMENT, { existing: false }).flatMap((ra) =>
    resolveGuids(doc, getPath(ra.body, ['properties', 'roleDefinitionId']), vars).filter((g): g is string => typeof g === 'string'),
  );
}

/**
 * Every role assignment: name is guid(...) of at least two parts, it is scoped to a resource (not
 * the whole resource group), principalType is ServicePrincipal, and its role definition resolves
 * to documented built-in roles only.
 */
export function checkRoleAssignments(doc: BicepDocument, roles: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const vars = variables(doc);
  const known = new Set(Object.keys(roles).map((g) => g.toLowerCase()));
  for (const ra of resourcesOfType(doc, ROLE_ASSIGNMENT, { existing: false })) {
    const at = `${where(doc, ra.node)} (${ra.symbol})`;
    const name = getProperty(ra.body, 'name');
    if (!name || name.type !== 'call_expression' || calleeName(name) !== 'guid') {
      problems.push(`${at}: role assignment name must be a guid(...) call, found ${name ? JSON.stringify(name.text) : 'nothing'}`);
    } else if (callArguments(name).length < 2) {
      problems.push(`${at}: guid() of a role assignment name needs the scope, the principal and the role`);
    }
    if (!getProperty(ra.body, 'scope')) problems.push(`${at}: role assignment has no scope (it would apply to the whole resource group)`);
    const principalType = literalValue(getPath(ra.body, ['properties', 'principalType']));
    if (principalType !== 'ServicePrincipal') {
      problems.push(`${at}: principalType must be 'ServicePrincipal', found ${JSON.stringify(principalType ?? null)}`);
    }
    const roleDefinitionId = getPath(ra.body, ['properties', 'roleDefinitionId']);
    if (!roleDefinitionId) {
      problems.push(`${at}: no properties.roleDefinitionId`);
      continue;
    }
    for (const leaf of resolveGuids(doc, roleDefinitionId, vars)) {
      if (typeof leaf !== 'string') problems.push(`${at}: roleDefinitionId does not resolve to a role GUID (${JSON.stringify(leaf.text)})`);
      else if (!known.has(leaf.toLowerCase())) problems.push(`${at}: role ${leaf} is not a documented built-in role`);
    }
  }
  return problems;
}

/** Role assignments must be scoped to an `existing` resource of the given type (cross-scope modules). */
export function checkAssignmentsScopedTo(doc: BicepDocument, existingTypePrefix: string): string[] {
  const targets = new Set(resourcesOfType(doc, existingTypePrefix, { existing: true }).map((r) => r.symbol));
  if (targets.size === 0) return [`${doc.file}: no existing ${existingTypePrefix} resource is referenced`];
  const problems: string[] = [];
  const assignments = resourcesOfType(doc, ROLE_ASSIGNMENT, { existing: false });
  if (assignments.length === 0) problems.push(`${doc.file}: no role assignment`);
  for (const ra of assignments) {
    const scope = getProperty(ra.body, 'scope');
    if (scope?.type !== 'identifier' || !targets.has(scope.text)) {
      problems.push(`${where(doc, ra.node)} (${ra.symbol}): must be scoped to the existing ${existingTypePrefix} resource`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// App settings
// ---------------------------------------------------------------------------------------------

/**
 * True for a lambda argument (`x => x.key`). The grammar sometimes nests the lambda inside the
 * member expression of its body, so the leftmost descendant starting at the same offset counts.
 */
function isLambda(node: Node): boolean {
  for (let n: Node | null = node; n && n.startIndex === node.startIndex; n = n.namedChild(0)) {
    if (n.type === 'lambda_expression') return true;
  }
  return false;
}

export interface AppSetting {
  readonly key: string;
  readonly value: Node | undefined;
  readonly node: Node;
}

/** The expression(s) that define the function app's application settings. */
function appSettingsSources(doc: BicepDocument): { entries: Node[]; arrays: Node[] } {
  const all = resources(doc);
  const sites = new Set(all.filter((r) => r.type.toLowerCase().startsWith('microsoft.web/sites@')).map((r) => r.symbol));
  const entries: Node[] = [];
  const arrays: Node[] = [];
  for (const r of all) {
    if (r.existing || !r.body) continue;
    const type = r.type.toLowerCase();
    const isConfig = type.startsWith('microsoft.web/sites/config@') || (type === 'config' && r.parentSymbol !== undefined && sites.has(r.parentSymbol));
    if (isConfig && literalValue(getProperty(r.body, 'name')) === 'appsettings') {
      const props = getProperty(r.body, 'properties');
      if (props) entries.push(props);
    }
    if (type.startsWith('microsoft.web/sites@')) {
      const list = getPath(r.body, ['properties', 'siteConfig', 'appSettings']);
      if (list) arrays.push(list);
    }
  }
  return { entries, arrays };
}

/**
 * Every app setting key with its value node, following variables, union(), ternaries and other
 * calls (e.g. toObject(filter(items({...}), ...))). An expression whose keys cannot be known
 * statically (a parameter, a resource property) is reported as a problem.
 */
export function collectAppSettings(doc: BicepDocument): { settings: AppSetting[]; problems: string[] } {
  const vars = variables(doc);
  const settings: AppSetting[] = [];
  const problems: string[] = [];
  const { entries, arrays } = appSettingsSources(doc);
  if (entries.length === 0 && arrays.length === 0) problems.push(`${doc.file}: no app settings found (sites/config 'appsettings')`);

  const visit = (expr: Node, seen: Set<string>): void => {
    switch (expr.type) {
      case 'object':
        for (const prop of objectProperties(expr)) {
          const key = propertyKey(prop);
          if (key === undefined) problems.push(`${where(doc, prop)}: app setting with a computed name`);
          else settings.push({ key, value: propertyValue(prop), node: prop });
        }
        return;
      case 'identifier': {
        const value = vars.get(expr.text);
        if (!value) problems.push(`${where(doc, expr)}: app settings come from '${expr.text}', which is not a variable, so its keys cannot be checked`);
        else if (!seen.has(expr.text)) visit(value, new Set([...seen, expr.text]));
        return;
      }
      case 'parenthesized_expression':
        for (const c of named(expr)) visit(c, seen);
        return;
      case 'ternary_expression':
        for (const c of [expr.childForFieldName('consequence'), expr.childForFieldName('alternative')]) if (c) visit(c, seen);
        return;
      case 'call_expression':
        for (const arg of callArguments(expr)) if (!isLambda(arg)) visit(arg, seen);
        return;
      case 'array':
        for (const item of named(expr)) visit(item, seen);
        return;
      case 'string':
        return; // e.g. the separator of join()
      default:
        problems.push(`${where(doc, expr)}: cannot follow app settings through ${expr.type} ${JSON.stringify(expr.text.slice(0, 40))}`);
    }
  };
  for (const e of entries) visit(e, new Set());
  for (const list of arrays) {
    for (const item of named(list)) {
      const key = literalValue(getProperty(item, 'name'));
      if (typeof key !== 'string') problems.push(`${where(doc, item)}: siteConfig.appSettings entry without a literal name`);
      else settings.push({ key, value: getProperty(item, 'value'), node: item });
    }
  }
  return { settings, problems };
}

export interface AppSettingRules {
  /** Every variable the code reads. */
  readonly codeVariables: readonly string[];
  /** Platform settings allowed in addition (host storage, Application Insights). */
  readonly platform: readonly string[];
  /** Must be set. */
  readonly required: readonly string[];
  /** Read by the code but must not be set in Azure (test/proxy overrides). */
  readonly forbidden: readonly string[];
  /** Must be Key Vault references when set. */
  readonly secrets: readonly string[];
}

export function checkAppSettings(doc: BicepDocument, rules: AppSettingRules): string[] {
  const { settings, problems } = collectAppSettings(doc);
  const keys = new Set(settings.map((s) => s.key));
  const allowed = new Set([...rules.codeVariables, ...rules.platform]);
  for (const key of rules.required) if (!keys.has(key)) problems.push(`${doc.file}: required app setting ${key} is not set`);
  for (const s of settings) {
    if (!allowed.has(s.key)) problems.push(`${where(doc, s.node)}: app setting ${s.key} is not read by the code`);
    if (rules.forbidden.includes(s.key)) problems.push(`${where(doc, s.node)}: app setting ${s.key} must not be set in Azure`);
    if (rules.secrets.includes(s.key)) {
      const text = s.value?.type === 'string' ? s.value.text.slice(1) : '';
      if (!text.startsWith('@Microsoft.KeyVault(SecretUri=')) {
        problems.push(`${where(doc, s.node)}: ${s.key} must be a @Microsoft.KeyVault(SecretUri=...) reference, found ${JSON.stringify(s.value?.text ?? null)}`);
      }
    }
  }
  const counts = new Map<string, number>();
  for (const s of settings) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
  for (const [key, n] of counts) if (n > 1) problems.push(`${doc.file}: app setting ${key} is written ${n} times`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

function enclosingResource(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'resource_declaration') return p;
  return undefined;
}

/** True when `id` is `properties.value` of a Key Vault secret resource. */
function isKeyVaultSecretValue(doc: BicepDocument, id: Node, secrets: ResourceDecl[]): boolean {
  const prop = id.parent;
  if (prop?.type !== 'object_property' || propertyKey(prop) !== 'value' || propertyValue(prop)?.id !== id.id) return false;
  const resource = enclosingResource(id);
  const decl = secrets.find((s) => s.node.id === resource?.id);
  return decl !== undefined && getPath(decl.body, ['properties', 'value'])?.id === id.id;
}

/** True when `id` is the only argument of empty(...), which reveals nothing but emptiness. */
function isEmptinessTest(id: Node): boolean {
  const args = id.parent;
  const call = args?.parent;
  return args?.type === 'arguments' && call?.type === 'call_expression' && calleeName(call) === 'empty' && callArguments(call).length === 1;
}

/**
 * A @secure() parameter may only be used as the value of a Key Vault secret resource (or tested
 * with empty()). Any other use (an output, an app setting, a variable, a module parameter, a tag)
 * is reported.
 */
export function checkSecureParameters(doc: BicepDocument): string[] {
  const secure = new Set(parameters(doc).filter((p) => p.secure).map((p) => p.name));
  if (secure.size === 0) return [];
  const secrets = resourcesOfType(doc, KEY_VAULT_SECRET, { existing: false });
  const problems: string[] = [];
  for (const node of walk(doc.root)) {
    if (node.type !== 'identifier' || !secure.has(node.text)) continue;
    const parent = node.parent;
    if (!parent || parent.type === 'parameter_declaration') continue;
    if (parent.type === 'object_property' && named(parent)[0]?.id === node.id) continue; // a key, not a use
    if (isEmptinessTest(node) || isKeyVaultSecretValue(doc, node, secrets)) continue;
    let context = 'outside a Key Vault secret';
    for (let p: Node | null = parent; p; p = p.parent) {
      if (p.type === 'output_declaration') {
        context = `in output '${named(p).find((c) => c.type === 'identifier')?.text ?? '?'}'`;
        break;
      }
      if (p.type === 'variable_declaration') {
        context = `in variable '${named(p)[0]?.text ?? '?'}'`;
        break;
      }
      if (p.type === 'resource_declaration' || p.type === 'module_declaration') {
        context = `in ${p.type === 'module_declaration' ? 'module' : 'resource'} '${named(p).find((c) => c.type === 'identifier')?.text ?? '?'}'`;
        break;
      }
    }
    problems.push(`${where(doc, node)}: @secure() parameter ${node.text} is used ${context}; secrets may only flow into Key Vault secret values`);
  }
  return problems;
}

/** Outputs carry names and IDs only: no secure outputs, no Key Vault secret resources, no list*() calls. */
export function checkOutputs(doc: BicepDocument): string[] {
  const problems: string[] = [];
  const secretSymbols = new Set(resourcesOfType(doc, KEY_VAULT_SECRET).map((r) => r.symbol));
  for (const out of outputs(doc)) {
    const at = `${where(doc, out.node)} (output ${out.name})`;
    if (out.decorators.includes('secure')) problems.push(`${at}: secure outputs are not allowed`);
    if (!out.value) continue;
    for (const n of walk(out.value)) {
      if (n.type === 'identifier' && secretSymbols.has(n.text)) problems.push(`${at}: exposes Key Vault secret resource ${n.text}`);
      if (n.type === 'call_expression' && /^list/i.test(calleeName(n) ?? '')) problems.push(`${at}: calls ${calleeName(n)}(), which returns keys or secrets`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Resource properties
// ---------------------------------------------------------------------------------------------

/**
 * Every (non-existing) resource of the type has the literal value at the path; `expected` undefined
 * means "present with any value". At least one such resource must exist.
 */
export function checkResourceProperty(
  doc: BicepDocument,
  typePrefix: string,
  path: readonly string[],
  expected?: string | boolean | number,
): string[] {
  const found = resourcesOfType(doc, typePrefix, { existing: false });
  if (found.length === 0) return [`${doc.file}: no ${typePrefix} resource`];
  const problems: string[] = [];
  for (const r of found) {
    const node = getPath(r.body, path);
    const at = `${where(doc, r.node)} (${r.symbol})`;
    if (!node) problems.push(`${at}: ${path.join('.')} is not set`);
    else if (expected !== undefined && literalValue(node) !== expected) {
      problems.push(`${at}: ${path.join('.')} must be ${JSON.stringify(expected)}, found ${JSON.stringify(node.text)}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Modules and parameter files
// ---------------------------------------------------------------------------------------------

/**
 * Modules deployed per item of a loop must be scoped to resourceGroup(subscriptionId, resourceGroup)
 * so a cluster or registry can live in another subscription and resource group.
 */
export function checkCrossScopeModule(doc: BicepDocument, modulePath: string): string[] {
  const found = modules(doc).filter((m) => m.path === modulePath);
  if (found.length === 0) return [`${doc.file}: module ${modulePath} is not deployed`];
  const problems: string[] = [];
  for (const m of found) {
    const at = `${where(doc, m.node)} (module ${m.symbol})`;
    if (!m.looped) problems.push(`${at}: must be deployed once per item (a for loop)`);
    const scope = getProperty(m.body, 'scope');
    if (!scope || scope.type !== 'call_expression' || calleeName(scope) !== 'resourceGroup' || callArguments(scope).length !== 2) {
      problems.push(`${at}: scope must be resourceGroup(subscriptionId, resourceGroupName), found ${JSON.stringify(scope?.text ?? null)}`);
    }
  }
  return problems;
}

/**
 * A .bicepparam file: `using` names the template, every assigned parameter exists there, every
 * required parameter is assigned, and @secure() parameters are never literals (only
 * readEnvironmentVariable(...) or az.getSecret(...)).
 */
export function checkParamFile(paramDoc: BicepDocument, template: BicepDocument, expectedUsing: string): string[] {
  const problems: string[] = [];
  const using = usingPath(paramDoc);
  if (using !== expectedUsing) problems.push(`${paramDoc.file}: using ${JSON.stringify(using ?? null)}, expected ${JSON.stringify(expectedUsing)}`);
  const declared = new Map(parameters(template).map((p) => [p.name, p]));
  const assigned = paramAssignments(paramDoc);
  for (const [name, value] of assigned) {
    const decl = declared.get(name);
    if (!decl) {
      problems.push(`${where(paramDoc, value)}: parameter ${name} is not declared in ${template.file}`);
      continue;
    }
    if (decl.secure) {
      const fn = value.type === 'call_expression' ? calleeName(value) : undefined;
      if (fn !== 'readEnvironmentVariable' && fn !== 'getSecret') {
        problems.push(`${where(paramDoc, value)}: @secure() parameter ${name} must come from readEnvironmentVariable(...) or getSecret(...), not ${JSON.stringify(value.text)}`);
      }
    }
  }
  for (const p of declared.values()) {
    if (!p.defaultValue && !p.nullable && !assigned.has(p.name)) problems.push(`${paramDoc.file}: required parameter ${p.name} is not assigned`);
  }
  return problems;
}

/** Values of string literals assigned to `key` anywhere (e.g. the azd-service-name tag), following variables. */
export function literalValuesOfKey(doc: BicepDocument, key: string): string[] {
  const vars = variables(doc);
  const out: string[] = [];
  for (const prop of descendantsOfType(doc.root, 'object_property')) {
    if (propertyKey(prop) !== key) continue;
    let value = propertyValue(prop);
    if (value?.type === 'identifier') value = vars.get(value.text);
    const literal = literalValue(value);
    if (typeof literal === 'string') out.push(literal);
  }
  return out;
}
