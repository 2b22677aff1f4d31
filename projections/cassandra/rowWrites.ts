// What a projection writes, as data: one row write per table row, rendered to CQL only at the edge.
// The projector executes these writes; reconcile applies the same writes to an in-memory model of
// the tables (tableModel.ts), so "what each event should have written" has one definition.

/** The chat read models' tables: each one's partition key and clustering columns, as in migrations/. */
export const tables = {
  chats: { partitionKey: ['chat_id'], clustering: [] },
  chats_by_user: { partitionKey: ['user_id'], clustering: ['chat_id'] },
  chats_by_activity: { partitionKey: ['user_id'], clustering: ['last_activity_at', 'chat_id'] },
  messages_by_chat: { partitionKey: ['chat_id', 'bucket'], clustering: ['message_id'] },
  message_ratings: { partitionKey: ['chat_id'], clustering: ['message_id'] },
} as const satisfies Record<string, { partitionKey: readonly string[]; clustering: readonly string[] }>;

export type Table = keyof typeof tables;

/** A uuid (as its string) or an int: the only partition key types of these tables. */
export type PartitionKeyValue = string | number;

export type CellValue = string | number | boolean | bigint | Date | readonly string[] | null;

export interface RowWrite {
  table: Table;
  /** upsert: set the columns (null clears a cell); delete: remove the whole row. */
  kind: 'upsert' | 'delete';
  /** Every primary key column: the partition key, then the clustering columns. */
  key: Readonly<Record<string, PartitionKeyValue | Date>>;
  columns: Readonly<Record<string, CellValue>>;
  /** The write timestamp (µs): see writeTimestamp.ts. */
  timestamp: bigint;
  /** The event this write is an effect of: reconcile names it when the row disagrees. */
  eventId: string;
}

export const upsert = (
  table: Table,
  key: RowWrite['key'],
  columns: RowWrite['columns'],
  timestamp: bigint,
  eventId: string,
): RowWrite => ({ table, kind: 'upsert', key, columns, timestamp, eventId });

export const deleteRow = (
  table: Table,
  key: RowWrite['key'],
  timestamp: bigint,
  eventId: string,
): RowWrite => ({ table, kind: 'delete', key, columns: {}, timestamp, eventId });

/** The partition key values in key order: they decide which replicas own the row. */
export const partitionKeyOf = (write: RowWrite): PartitionKeyValue[] =>
  tables[write.table].partitionKey.map((column) => write.key[column] as PartitionKeyValue);

/** The primary key columns of a table, partition key first. */
export const primaryKeyColumns = (table: Table): readonly string[] => [
  ...tables[table].partitionKey,
  ...tables[table].clustering,
];

export interface Cql {
  query: string;
  params: unknown[];
}

/** The CQL of a write, in `keyspace`: an UPDATE (upsert) or a DELETE, stamped USING TIMESTAMP. */
export function toCql(write: RowWrite, keyspace: string): Cql {
  const keyColumns = Object.keys(write.key);
  const where = keyColumns.map((c) => `${c} = ?`).join(' AND ');
  const keyValues = keyColumns.map((c) => write.key[c]);
  if (write.kind === 'delete')
    return {
      query: `DELETE FROM ${keyspace}.${write.table} USING TIMESTAMP ? WHERE ${where}`,
      params: [write.timestamp, ...keyValues],
    };
  const columns = Object.keys(write.columns);
  return {
    query: `UPDATE ${keyspace}.${write.table} USING TIMESTAMP ? SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${where}`,
    params: [write.timestamp, ...columns.map((c) => write.columns[c]), ...keyValues],
  };
}
