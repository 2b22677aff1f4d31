// npm run bench -- <name> [args]: one benchmark; it prints its figures (they are never timed tests).
// npm run bench [-- all] [--quick] [--write]: every benchmark in sequence, then a markdown report.
// npm run bench -- report <run.json> [--write]: a saved run's report again (stdout, or the docs).
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { sendToParent } from '../bench/childChannel.ts';
import { saveRunFile, writeReport } from '../bench/output.ts';
import { renderReport } from '../bench/report.ts';
import { runAll } from '../bench/runAll.ts';
import { loadRun } from '../bench/runFile.ts';
import { benches, findBench } from '../bench/suite.ts';
import { repoRoot } from '../stack/paths.ts';
import { runCli } from './runCli.ts';

const usage = `usage: npm run bench -- <${benches.map((b) => b.name).join('|')}> [args]
       npm run bench [-- all] [--quick] [--write]
       npm run bench -- report <.stack/bench/run-….json> [--write]
(the stack must be up: npm run stack -- up)`;

async function all(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, write: { type: 'boolean' } },
  });
  const quick = values.quick ?? false;
  const command = `npm run bench -- all${quick ? ' --quick' : ''}${values.write ? ' --write' : ''}`;
  const run = await runAll(benches, { quick, command });
  const saved = await saveRunFile(run);
  const report = await writeReport(run, values.write ?? false);
  const failed = run.outcomes.filter((o) => o.status === 'failed').map((o) => o.bench);
  console.log(
    `\n${run.outcomes.length} benches in ${Math.round(run.seconds)} s${failed.length ? `, FAILED: ${failed.join(', ')}` : ''}`,
  );
  console.log(`report: ${relative(repoRoot, report)}\nrun (JSON): ${relative(repoRoot, saved)}`);
  return failed.length > 0 ? 1 : 0;
}

async function report(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { write: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  const run = await loadRun(positionals[0]!);
  if (values.write) console.log(`report: ${relative(repoRoot, await writeReport(run, true))}`);
  else process.stdout.write(renderReport(run));
  return 0;
}

/** One bench; under `all` (an IPC channel to the runner) its result or failure goes back too. */
async function one(name: string, argv: string[]): Promise<number> {
  const bench = findBench(name);
  if (!bench) {
    console.error(usage);
    return 2;
  }
  try {
    await sendToParent({ type: 'result', result: await bench.run(argv) });
  } catch (error) {
    await sendToParent({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('--')) return all(argv);
  if (first === 'all') return all(rest);
  if (first === 'report') return report(rest);
  return one(first, rest);
}

runCli(main);
