// What a benchmark hands back besides what it prints: its figures, each with its target or
// baseline, so `npm run bench -- all` can put every bench in one report (ops/bench/report.ts).
// Plain data throughout: a run is saved as JSON and rendered again later (ops/bench/runFile.ts).

/** One measured number. */
export interface BenchFigure {
  name: string;
  /** NaN when nothing was measured (no samples): rendered as a dash. */
  value: number;
  unit: string;
  /** The target as text, e.g. `≥ 0.80×` or `< 15 ms`; `met` says whether it was reached. */
  target?: string;
  met?: boolean;
  /** What the same work costs done another way (the raw client, Kafka's own tool, direct). */
  baseline?: { name: string; value: number };
  /** value ÷ baseline value. */
  ratio?: number;
  /** CPU microseconds per event (per request, per answer) of the process under test. */
  cpuPerEventUs?: number;
  note?: string;
}

export interface BenchResult {
  bench: string;
  /** The command that reproduces it, e.g. `npm run bench -- clickhouse --events 20000`. */
  command: string;
  figures: BenchFigure[];
  notes: string[];
}

/** A bench within `npm run bench -- all`: its result, or why there is none. */
export type BenchOutcome = { bench: string; command: string; seconds: number } & (
  { status: 'ok'; result: BenchResult } | { status: 'failed'; error: string }
);

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1, 5 and 15 minute load averages just before the run: a busy machine disturbs every figure. */
  loadAverage: [number, number, number];
  commit: string;
  /** Uncommitted changes in the checkout: the commit alone does not name the code measured. */
  dirty: boolean;
}

export interface BenchRun {
  /** ISO 8601. */
  startedAt: string;
  seconds: number;
  /** `--quick`: smaller sizes and durations, figures indicative only. */
  quick: boolean;
  command: string;
  machine: MachineInfo;
  outcomes: BenchOutcome[];
}

export const benchCommand = (bench: string, argv: readonly string[]): string =>
  `npm run bench -- ${[bench, ...argv].join(' ')}`;

/** A figure compared with a baseline: the ratio is worked out here, once. */
export function againstBaseline(
  figure: Omit<BenchFigure, 'baseline' | 'ratio'>,
  baseline: { name: string; value: number },
): BenchFigure {
  return { ...figure, baseline, ratio: figure.value / baseline.value };
}
