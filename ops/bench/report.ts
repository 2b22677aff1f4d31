// The markdown report of `npm run bench -- all`: the run's header (when, which commit, which
// machine, how busy it was), a summary of targets met and missed, then one table per bench. Pure:
// the caller decides where it goes. Tables come out aligned the way Prettier aligns them, so
// docs/performance.md passes `npm run format:check` as generated.
import type { BenchFigure, BenchOutcome, BenchRun, MachineInfo } from './result.ts';

export interface RenderOptions {
  /** Heading level of the title: 1 on its own, 2 inside docs/performance.md. */
  level?: number;
}

type Align = 'left' | 'right';
interface Column {
  header: string;
  align?: Align;
}

/** Cells escaped for a table; columns padded to their widest cell (at least 3, as Prettier does). */
export function table(columns: Column[], rows: string[][]): string {
  const cells = rows.map((row) => row.map(escapeCell));
  const widths = columns.map((c, i) => Math.max(3, c.header.length, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) =>
    columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (texts: string[]) => `| ${texts.map(pad).join(' | ')} |`;
  const rule = widths.map((w, i) =>
    columns[i]!.align === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w),
  );
  return [line(columns.map((c) => c.header)), `| ${rule.join(' | ')} |`, ...cells.map(line)].join('\n');
}

const escapeCell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

/** Three significant-ish digits: 54,600 / 183 / 14.8 / 0.28; a dash for nothing measured. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const size = Math.abs(value);
  if (size >= 1000) return Math.round(value).toLocaleString('en');
  return value.toFixed(size >= 100 ? 0 : size >= 10 ? 1 : 2);
}

const formatRatio = (ratio: number | undefined) =>
  ratio === undefined || !Number.isFinite(ratio) ? '' : `${ratio.toFixed(2)}×`;

/** `2.61×`, `1,384 ms`: a multiple's sign sits on its number. */
const withUnit = (f: BenchFigure) => `${formatNumber(f.value)}${f.unit === '×' ? '' : ' '}${f.unit}`;

const metText = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : 'missed');

const targeted = (outcome: BenchOutcome): BenchFigure[] =>
  outcome.status === 'ok' ? outcome.result.figures.filter((f) => f.target !== undefined) : [];

/** A load average above half the cores: the other work competed with the benches for CPU. */
export const busyMachine = (machine: MachineInfo) => machine.loadAverage[0] > machine.cpuCount / 2;

function header(run: BenchRun, h: (depth: number) => string): string[] {
  const { machine } = run;
  const started = new Date(run.startedAt);
  const day = started.toISOString().slice(0, 16).replace('T', ' ');
  const load = machine.loadAverage.map((l) => l.toFixed(2)).join(' / ');
  const lines = [
    `${h(0)} Benchmark report, ${day} UTC`,
    '',
    `- run: \`${run.command}\`${run.quick ? ' (quick: smaller sizes and durations)' : ''}, ${Math.round(run.seconds)} s`,
    `- commit: ${machine.commit}${machine.dirty ? ' with uncommitted changes' : ''}`,
    `- machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB memory, ${machine.os}, Node ${machine.node}`,
    `- load average before the run (1 / 5 / 15 min): ${load}`,
  ];
  const cautions = [
    ...(run.quick
      ? ['a quick run: small sizes and short durations, so the figures are indicative only']
      : []),
    ...(busyMachine(machine)
      ? [
          `the machine was busy before the run (load ${machine.loadAverage[0].toFixed(2)} on ${machine.cpuCount} cores): other work competed for the CPU, the figures are disturbed`,
        ]
      : []),
  ];
  if (cautions.length > 0) lines.push('', `> **Caution**: ${cautions.join('; ')}.`);
  return lines;
}

function summary(run: BenchRun, h: (depth: number) => string): string[] {
  const rows = run.outcomes.map((o) => {
    const figures = targeted(o);
    return [
      o.bench,
      o.status === 'ok' ? 'ok' : 'FAILED',
      String(figures.filter((f) => f.met === true).length),
      String(figures.filter((f) => f.met === false).length),
      String(Math.round(o.seconds)),
      `\`${o.command}\``,
    ];
  });
  const all = run.outcomes.flatMap(targeted);
  const failed = run.outcomes.filter((o) => o.status === 'failed').length;
  const lines = [
    `${h(1)} Summary`,
    '',
    `${run.outcomes.length} benches, ${failed} failed; targets: ${all.filter((f) => f.met === true).length} met, ${all.filter((f) => f.met === false).length} missed.`,
    '',
    table(
      [
        { header: 'bench' },
        { header: 'status' },
        { header: 'targets met', align: 'right' },
        { header: 'targets missed', align: 'right' },
        { header: 'seconds', align: 'right' },
        { header: 'command' },
      ],
      rows,
    ),
  ];
  const targetRows = run.outcomes.flatMap((o) =>
    targeted(o).map((f) => [o.bench, f.name, withUnit(f), f.target!, metText(f.met)]),
  );
  if (targetRows.length > 0)
    lines.push(
      '',
      table(
        [
          { header: 'bench' },
          { header: 'figure' },
          { header: 'value', align: 'right' },
          { header: 'target' },
          { header: 'met?' },
        ],
        targetRows,
      ),
    );
  return lines;
}

function figureRow(f: BenchFigure): string[] {
  return [
    f.name,
    formatNumber(f.value),
    f.unit,
    f.target ?? '',
    f.baseline ? `${f.baseline.name}: ${formatNumber(f.baseline.value)}` : '',
    formatRatio(f.ratio),
    metText(f.met),
    f.cpuPerEventUs === undefined ? '' : formatNumber(f.cpuPerEventUs),
    f.note ?? '',
  ];
}

/** A fence longer than any run of backticks in the text, so an error message cannot close it. */
function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

function section(outcome: BenchOutcome, h: (depth: number) => string): string[] {
  const seconds = `${Math.round(outcome.seconds)} s`;
  if (outcome.status === 'failed')
    return [
      `${h(1)} ${outcome.bench}: failed`,
      '',
      `\`${outcome.command}\` failed after ${seconds}:`,
      '',
      fenced(outcome.error),
    ];
  const { result } = outcome;
  const lines = [`${h(1)} ${outcome.bench}`, '', `\`${result.command}\`, ${seconds}`, ''];
  lines.push(
    result.figures.length === 0
      ? 'No figures.'
      : table(
          [
            { header: 'figure' },
            { header: 'value', align: 'right' },
            { header: 'unit' },
            { header: 'target' },
            { header: 'baseline' },
            { header: 'ratio', align: 'right' },
            { header: 'met?' },
            { header: 'CPU µs/event', align: 'right' },
            { header: 'note' },
          ],
          result.figures.map(figureRow),
        ),
  );
  if (result.notes.length > 0) lines.push('', ...result.notes.map((n) => `- ${n}`));
  return lines;
}

export function renderReport(run: BenchRun, options: RenderOptions = {}): string {
  const level = options.level ?? 1;
  const h = (depth: number) => '#'.repeat(level + depth);
  const blocks = [
    header(run, h),
    summary(run, h),
    [
      'ratio = value ÷ baseline. CPU µs/event: CPU time of the process under test per event (request, answer), from /proc; see the notes of each bench for what it covers.',
    ],
    ...run.outcomes.map((o) => section(o, h)),
  ];
  return `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`;
}
