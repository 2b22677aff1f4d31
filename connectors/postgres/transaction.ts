// One PostgreSQL transaction around a unit of work, for every writer (the API's identity writes,
// the processors' state with its outbox events).
import type pg from 'pg';

/** Runs `work` in one transaction: COMMIT if it returns, ROLLBACK if it throws. */
export async function inTransaction<T>(db: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const tx = await db.connect();
  try {
    await tx.query('BEGIN');
    const result = await work(tx);
    await tx.query('COMMIT');
    return result;
  } catch (error) {
    await tx.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    tx.release();
  }
}
