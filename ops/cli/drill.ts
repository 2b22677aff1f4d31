// npm run drill [-- --quick] [--multiple 1] [--seconds 60] [--faults a,b] [--catch-up-s 900]
// npm run drill -- --soak 30m [--multiple 0.05] [--sample-s 15]
// Fault drills on the whole platform (ops/drill/runDrill.ts), or a soak (ops/drill/soak.ts). Exits 1
// when anything the API accepted is lost, duplicated or left unanswered, a reconcile disagrees, or
// (soak) a process's memory keeps growing.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { drillReportMarkdown, soakPlots, soakReportMarkdown, soakVerdict } from '../drill/drillReport.ts';
import { parseDuration, runSoak } from '../drill/soak.ts';
import { FAULTS, selectFaults } from '../drill/faults.ts';
import { runDrill, verdict } from '../drill/runDrill.ts';
import { createContext } from '../stack/manager.ts';
import { runCli } from './runCli.ts';

const DEFAULT_STAND_IN_PORT = 18_090;
const allPositive = (...values: number[]) => values.every((n) => Number.isFinite(n) && n > 0);
const machine = () =>
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB. Answers from the model-server stand-in (a labelled test double).`;

const usage = `usage: npm run drill -- [--quick] [--multiple N] [--seconds N] [--faults ${FAULTS.map((f) => f.name).join(',')}] [--catch-up-s N] [--stand-in-port N]
  --quick  the CI form: every fault at 0.01× reference peak, 15 s of load each
  --soak D steady load for D (e.g. 30m, 90s, 1h), no faults: memory, lag and latency over time, with plots`;

runCli(async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      multiple: { type: 'string' },
      seconds: { type: 'string' },
      faults: { type: 'string' },
      'catch-up-s': { type: 'string' },
      'stand-in-port': { type: 'string' },
      soak: { type: 'string' },
      'sample-s': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const quick = values.quick ?? false;
  const options = {
    faults: selectFaults(values.faults?.split(',').filter(Boolean)),
    multiple: Number(values.multiple ?? (quick ? 0.01 : 1)),
    seconds: Number(values.seconds ?? (quick ? 15 : 60)),
    catchUpTimeoutMs: Number(values['catch-up-s'] ?? (quick ? 180 : 900)) * 1000,
    standInPort: Number(values['stand-in-port'] ?? DEFAULT_STAND_IN_PORT),
  };
  if (!allPositive(options.multiple, options.seconds, options.catchUpTimeoutMs, options.standInPort)) {
    console.error(usage);
    return 2;
  }
  const ctx = createContext();
  const started = new Date();
  const dir = join(ctx.paths.root, 'drill');
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  if (values.soak !== undefined)
    return soak(ctx, values, parseDuration(values.soak), join(dir, `soak-${stamp}`), argv);
  const reports = await runDrill(ctx, options, (line) => console.log(line));
  const header = [
    `# Fault drill, ${started.toISOString()}`,
    '',
    `\`npm run drill -- ${argv.join(' ')}\``.replace(' -- `', '`'),
    '',
    `${options.multiple}× reference peak, ${options.seconds} s of load per fault, kill -9 a third of the way in. ${machine()}`,
  ].join('\n');
  const markdown = drillReportMarkdown(reports, header);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `report-${stamp}.md`);
  await writeFile(file, markdown);
  console.log(`\n${markdown}\nreport: ${file}`);
  console.log('The demo workload was stopped for the drill; npm start brings it back.');
  return reports.every(verdict) ? 0 : 1;
});

async function soak(
  ctx: ReturnType<typeof createContext>,
  values: { multiple?: string; 'sample-s'?: string; 'catch-up-s'?: string; 'stand-in-port'?: string },
  durationMs: number,
  dir: string,
  argv: string[],
): Promise<number> {
  const options = {
    durationMs,
    multiple: Number(values.multiple ?? 0.05),
    sampleEveryMs: Number(values['sample-s'] ?? 15) * 1000,
    catchUpTimeoutMs: Number(values['catch-up-s'] ?? 600) * 1000,
    standInPort: Number(values['stand-in-port'] ?? DEFAULT_STAND_IN_PORT),
  };
  if (!allPositive(options.multiple, options.sampleEveryMs, options.catchUpTimeoutMs, options.standInPort)) {
    console.error(usage);
    return 2;
  }
  const started = new Date();
  const result = await runSoak(ctx, options, (line) => console.log(line));
  await mkdir(dir, { recursive: true });
  const plots = soakPlots(result);
  for (const [name, svg] of plots) await writeFile(join(dir, name), svg);
  const header = [
    `# Soak, ${started.toISOString()}`,
    '',
    `\`npm run drill -- ${argv.join(' ')}\``,
    '',
    `${options.multiple}× reference peak for ${durationMs / 60_000} min, sampled every ${options.sampleEveryMs / 1000} s. ${machine()}`,
  ].join('\n');
  const markdown = soakReportMarkdown(result, header, [...plots.keys()]);
  await writeFile(join(dir, 'report.md'), markdown);
  console.log(`\n${markdown}\nreport and plots: ${dir}`);
  return soakVerdict(result) ? 0 : 1;
}
