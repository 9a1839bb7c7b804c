/**
 * `key=value;key=value` lists, as Key Vault references and connection strings write them: keys
 * compared in any case (lower-cased here), values trimmed, parts without `=` ignored.
 */
export function keyValueList(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return map;
}
