/**
 * The field names a KQL (Kibana Query Language) query refers to, for checking them against the
 * mapping. Covers the forms the definitions here use: `field : value`, `field : "quoted value"`,
 * `field >= 10` (`<`, `<=`, `>`, `>=`), combined with `and`/`or`/`not` and parentheses. Quoted strings
 * are removed first, so a `:` inside a value is not read as a field. Syntax reference: Kibana's KQL
 * documentation (https://www.elastic.co/guide/en/kibana/8.19/kuery-query.html).
 *
 * @returns the distinct field names in order of first appearance.
 * @throws Error when the query names no field at all (every KQL here must filter on a field).
 */
export function kqlFields(kql: string): string[] {
  const unquoted = kql.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const fields: string[] = [];
  for (const m of unquoted.matchAll(/([A-Za-z_@][\w.@-]*)\s*(?::|<=|>=|<|>)/g)) {
    const f = m[1]!;
    if (!fields.includes(f)) fields.push(f);
  }
  if (fields.length === 0) throw new Error(`KQL names no field: ${kql}`);
  return fields;
}
