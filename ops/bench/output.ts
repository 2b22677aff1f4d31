// Where a run's report goes: .stack/bench/report-<time>.md (beside the run as JSON), or
// docs/performance.md when asked (--write), its hand-kept head kept (performanceDoc.ts).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, stackPaths } from '../stack/paths.ts';
import { composePerformanceDoc } from './performanceDoc.ts';
import { renderReport } from './report.ts';
import type { BenchRun } from './result.ts';
import { saveRun } from './runFile.ts';

export const PERFORMANCE_DOC = join(repoRoot, 'docs', 'performance.md');

/** `2025-06-01T01-18-43Z`: sortable, and no colons in file names. */
const fileStamp = (iso: string) => iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');

export async function saveRunFile(run: BenchRun): Promise<string> {
  const dir = join(stackPaths().root, 'bench');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `run-${fileStamp(run.startedAt)}.json`);
  await saveRun(path, run);
  return path;
}

export async function writeReport(run: BenchRun, toDocs: boolean): Promise<string> {
  if (toDocs) {
    const existing = await readFile(PERFORMANCE_DOC, 'utf8').catch(() => undefined);
    await writeFile(PERFORMANCE_DOC, composePerformanceDoc(existing, renderReport(run, { level: 2 })));
    return PERFORMANCE_DOC;
  }
  const dir = join(stackPaths().root, 'bench');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `report-${fileStamp(run.startedAt)}.md`);
  await writeFile(path, renderReport(run));
  return path;
}
