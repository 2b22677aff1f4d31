// docs/performance.md: a hand-kept head (what the figures are, how to reproduce them) above a
// generated report. `npm run bench -- all --write` replaces only what is below the marker, so
// edits to the head survive; a file without the marker gets the default head.
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';

export const REPORT_MARKER =
  '<!-- Generated below by `npm run bench -- all --write`: edit above this line, not below. -->';

const peak = (n: number) => Math.round(n).toLocaleString('en');

export const DEFAULT_HEAD = `# Performance

What Parley sustains on one machine, as measured by its benchmarks (\`ops/bench/\`). Each figure is
set against its target, or against a baseline doing the same work another way (the raw client,
Kafka's own tool, calling the model server directly). Load is stated in reference peaks (README,
"Load generator"): 1× is ${peak(referencePeak.promptsPerSecond)} prompts/s, ${peak(referencePeak.eventsPerSecond)} events/s.

## How to reproduce

\`\`\`sh
npm run stack -- up                # the servers the benchmarks run against
npm run bench                      # every benchmark at its default sizes; report in .stack/bench/
npm run bench -- all --quick       # smaller sizes and durations: a few minutes, figures indicative only
npm run bench -- all --write       # rewrite the report below, keeping this section
npm run bench -- report .stack/bench/run-<time>.json --write   # put a saved run below without running it again
npm run bench -- <name> [options]  # one benchmark: model, producers, outbox, clickhouse, cassandra, api, inference
\`\`\`

Run on a machine with nothing else to do: stop \`npm start\`'s processes (\`npm run stack -- status\`
lists them) and run no tests meanwhile. The benchmarks are CPU-bound on a small machine, and the
report records the load average before the run for that reason. The options of each benchmark
are in README.md and at the top of its file in \`ops/bench/\`.`;

export function composePerformanceDoc(existing: string | undefined, report: string): string {
  const at = existing?.indexOf(REPORT_MARKER) ?? -1;
  const head = existing !== undefined && at >= 0 ? existing.slice(0, at).trimEnd() : DEFAULT_HEAD;
  return `${head}\n\n${REPORT_MARKER}\n\n${report.trimEnd()}\n`;
}
