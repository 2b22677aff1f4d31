// An in-memory model of the chat tables under Cassandra's last-write-wins rules: apply the row
// writes of every event in log order and it holds what the real tables must hold. Reconcile
// compares the two; nothing here restates what an event writes (chatProjection.ts says that).
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import { planChatListWrites, type ChatListState } from './chatList.ts';
import { chatListChange, projectChatEvent } from './chatProjection.ts';
import { primaryKeyColumns, type CellValue, type RowWrite, type Table } from './rowWrites.ts';
import type { LogPosition } from './writeTimestamp.ts';

export interface ModelCell {
  value: CellValue;
  timestamp: bigint;
  /** The event whose write this cell holds. */
  eventId: string;
}

interface ModelRow {
  key: RowWrite['key'];
  cells: Map<string, ModelCell>;
  /** Row deletion: cells at or below this timestamp are gone (a tie goes to the deletion). */
  deletedAt: bigint | null;
}

/** A comparable form of a cell value, the same for what the model holds and what the driver returns. */
export function normalise(value: unknown): string | number | boolean | null | Array<unknown> {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string')
    return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
      ? value.toLowerCase()
      : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  // Cassandra stores an empty collection as no collection at all.
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(normalise);
  return normalise(String(value)); // driver types: Uuid, TimeUuid, LocalDate...
}

/** The identity of a row: its primary key values, normalised, in key order. */
export const rowId = (table: Table, key: Readonly<Record<string, unknown>>): string =>
  JSON.stringify(primaryKeyColumns(table).map((column) => normalise(key[column])));

/**
 * Cassandra's tie-break between two live cells of one timestamp: the greater value (by its bytes)
 * wins. Compared here by normalised JSON: the same for the equal values a replay writes; unequal
 * values at one timestamp need the tie-break exception described in writeTimestamp.ts.
 */
const greater = (a: CellValue, b: CellValue) => JSON.stringify(normalise(a)) > JSON.stringify(normalise(b));

export class TableModel {
  private readonly tables = new Map<Table, Map<string, ModelRow>>();

  apply(write: RowWrite): void {
    let rows = this.tables.get(write.table);
    if (!rows) this.tables.set(write.table, (rows = new Map()));
    const id = rowId(write.table, write.key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key: write.key, cells: new Map(), deletedAt: null }));
    if (write.kind === 'delete') {
      if (row.deletedAt === null || write.timestamp > row.deletedAt) row.deletedAt = write.timestamp;
      return;
    }
    for (const [column, value] of Object.entries(write.columns)) {
      const cell = row.cells.get(column);
      const wins =
        !cell ||
        write.timestamp > cell.timestamp ||
        (write.timestamp === cell.timestamp &&
          (value === null || (cell.value !== null && greater(value, cell.value))));
      if (wins) row.cells.set(column, { value, timestamp: write.timestamp, eventId: write.eventId });
    }
  }

  /** Live cells of a row (null-valued and deleted cells left out); undefined if the row does not exist. */
  row(table: Table, key: Readonly<Record<string, unknown>>): Map<string, ModelCell> | undefined {
    const row = this.tables.get(table)?.get(rowId(table, key));
    return row && this.live(row);
  }

  private live(row: ModelRow): Map<string, ModelCell> | undefined {
    const cells = new Map<string, ModelCell>();
    for (const [column, cell] of row.cells) {
      if (row.deletedAt !== null && cell.timestamp <= row.deletedAt) continue;
      if (normalise(cell.value) === null) continue;
      cells.set(column, cell);
    }
    // Rows are written by UPDATE (no row marker): a row with no live cell does not exist.
    return cells.size === 0 ? undefined : cells;
  }

  /** Every live row of a table, by row id. */
  *rows(table: Table): Generator<[string, { key: RowWrite['key']; cells: Map<string, ModelCell> }]> {
    for (const [id, row] of this.tables.get(table) ?? []) {
      const cells = this.live(row);
      if (cells) yield [id, { key: row.key, cells }];
    }
  }

  /**
   * One event's effect, as the projector makes it: the list move planned from the chat's list state
   * (read before the event's own writes), then the row writes. Throws as projectChatEvent does.
   */
  project(name: EventName, event: EventMap[EventName], position: LogPosition): void {
    const rows = projectChatEvent(name, event, position);
    const change = chatListChange(name, event, position);
    if (change)
      for (const move of planChatListWrites([change], (u, c) => this.listState(u, c)).writes)
        this.apply(move);
    for (const row of rows) this.apply(row);
  }

  /** A chat's list state, as the projector reads it from `chats_by_user`. */
  listState(userId: string, chatId: string): ChatListState {
    const cells = this.row('chats_by_user', { user_id: userId, chat_id: chatId });
    const activity = cells?.get('last_activity_at');
    return {
      lastActivityAt: activity ? (activity.value as Date).getTime() : null,
      timestamp: activity ? activity.timestamp : null,
      deleted: cells?.has('deleted_at') ?? false,
    };
  }
}
