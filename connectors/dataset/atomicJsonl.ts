// Writes a JSONL file so that readers see the old file or the whole new one, never a part: a
// temporary file beside it (same filesystem, so the rename is atomic), flushed to disk, renamed.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const CHUNK_BYTES = 1 << 20;

export async function writeJsonlAtomically(path: string, lines: readonly string[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.tmp`);
  const file = await open(temporary, 'w');
  try {
    // Batched writes: one syscall per megabyte rather than per line.
    let chunk = '';
    for (const line of lines) {
      chunk += `${line}\n`;
      if (chunk.length >= CHUNK_BYTES) {
        await file.writeFile(chunk);
        chunk = '';
      }
    }
    await file.writeFile(chunk);
    await file.sync();
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}
