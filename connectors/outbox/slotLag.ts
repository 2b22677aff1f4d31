// How far the outbox connector's replication slot trails the WAL. A slot whose connector is down
// pins WAL until the disk fills (max_slot_wal_keep_size is unlimited by default); capping it
// instead can lose the slot ('lost'), and with the outbox's rows deleted at insert, the events
// written meanwhile would be gone. So: alert on an inactive slot and on retained bytes.
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { OUTBOX_SLOT } from './connectorConfig.ts';

export interface SlotLag {
  slotName: string;
  /** A walsender (the connector's task) is streaming from it now. */
  active: boolean;
  /** The walsender process streaming from it, if any. */
  activePid: number | null;
  /** reserved | extended | unreserved | lost (null before the slot has reserved WAL). */
  walStatus: string | null;
  /** WAL written since the last position the connector confirmed as published. */
  lagBytes: number;
  /** WAL PostgreSQL keeps on disk for this slot. */
  retainedBytes: number;
}

interface SlotRow {
  active: boolean;
  active_pid: number | null;
  wal_status: string | null;
  lag_bytes: string | null;
  retained_bytes: string | null;
}

/** The slot's state, or undefined when it does not exist (the connector was never registered). */
export async function readSlotLag(
  db: pg.Pool | pg.ClientBase,
  slotName = OUTBOX_SLOT,
): Promise<SlotLag | undefined> {
  const { rows } = await db.query<SlotRow>(
    `SELECT active, active_pid, wal_status,
            pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) AS lag_bytes,
            pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) AS retained_bytes
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slotName],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    slotName,
    active: row.active,
    activePid: row.active_pid,
    walStatus: row.wal_status,
    lagBytes: Number(row.lag_bytes ?? 0),
    retainedBytes: Number(row.retained_bytes ?? 0),
  };
}

/**
 * Gauges read from pg_replication_slots when scraped (one query per scrape). A missing slot reads
 * as inactive with no lag; when PostgreSQL cannot be asked the gauges have no sample, so an
 * `absent()` alert fires instead of a stale value.
 */
export function registerSlotLagMetrics(registry: Registry, db: pg.Pool, slotName = OUTBOX_SLOT): void {
  let scrape: { at: number; lag: Promise<SlotLag | undefined> } | undefined;
  const read = () => {
    if (!scrape || Date.now() - scrape.at > 1_000)
      scrape = { at: Date.now(), lag: readSlotLag(db, slotName) };
    return scrape.lag;
  };
  const gauge = (name: string, help: string, value: (lag: SlotLag | undefined) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['slot'],
      registers: [registry],
      async collect() {
        this.reset();
        const lag = await read().catch(() => null);
        if (lag !== null) this.set({ slot: slotName }, value(lag));
      },
    });
  gauge(
    'parley_outbox_slot_active',
    '1 while the outbox connector streams from its replication slot',
    (lag) => (lag?.active ? 1 : 0),
  );
  gauge(
    'parley_outbox_slot_lag_bytes',
    'WAL bytes written since the position the outbox connector last confirmed as published',
    (lag) => lag?.lagBytes ?? 0,
  );
  gauge(
    'parley_outbox_slot_retained_bytes',
    'WAL bytes PostgreSQL keeps for the outbox slot (grows without bound while the connector is down)',
    (lag) => lag?.retainedBytes ?? 0,
  );
}
