// A run of `npm run bench -- all` saved as JSON beside its report, so it can be rendered again
// (`npm run bench -- report <file> --write` puts it in docs/performance.md without running it
// again) or compared with a later one. Read back through a schema: the file is input.
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BenchRun } from './result.ts';

/** JSON writes NaN (nothing measured) as null: read back as NaN. */
const measured = z
  .number()
  .nullable()
  .transform((n) => n ?? NaN);

const figure = z.object({
  name: z.string(),
  value: measured,
  unit: z.string(),
  target: z.string().optional(),
  met: z.boolean().optional(),
  baseline: z.object({ name: z.string(), value: measured }).optional(),
  ratio: measured.optional(),
  cpuPerEventUs: measured.optional(),
  note: z.string().optional(),
});

const common = { bench: z.string(), command: z.string(), seconds: z.number() };

const benchRun = z.object({
  startedAt: z.string(),
  seconds: z.number(),
  quick: z.boolean(),
  command: z.string(),
  machine: z.object({
    cpuModel: z.string(),
    cpuCount: z.number(),
    memoryGiB: z.number(),
    os: z.string(),
    node: z.string(),
    loadAverage: z.tuple([measured, measured, measured]),
    commit: z.string(),
    dirty: z.boolean(),
  }),
  outcomes: z.array(
    z.discriminatedUnion('status', [
      z.object({
        ...common,
        status: z.literal('ok'),
        result: z.object({
          bench: z.string(),
          command: z.string(),
          figures: z.array(figure),
          notes: z.array(z.string()),
        }),
      }),
      z.object({ ...common, status: z.literal('failed'), error: z.string() }),
    ]),
  ),
}) satisfies z.ZodType<BenchRun, unknown>;

export async function saveRun(path: string, run: BenchRun): Promise<void> {
  await writeFile(path, `${JSON.stringify(run, null, 2)}\n`);
}

export async function loadRun(path: string): Promise<BenchRun> {
  const parsed = benchRun.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path} is not a saved benchmark run: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
