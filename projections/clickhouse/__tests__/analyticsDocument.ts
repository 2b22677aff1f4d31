// What docs/analytics.md promises, read the way its tests check it: the SQL blocks (each ```sql
// block right after a `<!-- query: name -->` or `<!-- statement: name -->` line) and the column
// table under each `### \`relation\`` heading.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export const ANALYTICS_DOC = resolve(import.meta.dirname, '../../../docs/analytics.md');

export interface DocumentedSql {
  /** A query returns rows; a statement changes data. */
  kind: 'query' | 'statement';
  name: string;
  sql: string;
}

export interface DocumentedColumn {
  name: string;
  type: string;
}

const readDoc = () => readFile(ANALYTICS_DOC, 'utf8');

export async function documentedSql(): Promise<DocumentedSql[]> {
  const blocks = (await readDoc()).matchAll(
    /<!-- (query|statement): ([a-z0-9-]+) -->\s*\n```sql\n([\s\S]*?)```/g,
  );
  return [...blocks].map(([, kind, name, sql]) => ({
    kind: kind as DocumentedSql['kind'],
    name: name!,
    sql: sql!.trim(),
  }));
}

const cell = (text: string) => text.trim().replace(/^`|`$/g, '');

/** Per `### \`relation\`` heading, the name and type columns of the table that follows it. */
export async function documentedColumns(): Promise<Map<string, DocumentedColumn[]>> {
  const relations = new Map<string, DocumentedColumn[]>();
  let current: DocumentedColumn[] | undefined;
  for (const line of (await readDoc()).split('\n')) {
    const heading = /^### `([a-z_]+)`$/.exec(line);
    if (heading) relations.set(heading[1]!, (current = []));
    else if (line.startsWith('#')) current = undefined;
    else if (current && /^\| `/.test(line)) {
      const [, name, type] = line.split('|');
      current.push({ name: cell(name!), type: cell(type!) });
    }
  }
  return relations;
}
