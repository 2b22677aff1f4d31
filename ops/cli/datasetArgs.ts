// The flags of `npm run dataset -- export`, checked before anything connects: a bad flag is a
// UsageError naming it (the CLI exits 2).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportTarget } from '../../connectors/dataset/exportDatasets.ts';
import type { ExportFilter } from '../../connectors/dataset/exportFilter.ts';
import { formatNames, isFormatName, type FormatName } from '../../connectors/dataset/formats/index.ts';

export const datasetUsage = `usage: npm run dataset -- export --format <${formatNames.join('|')}|all>[,…]
         (--out FILE.jsonl | --out-dir DIR) [--since ISO] [--until ISO] [--model VERSION]
         [--topic TOPIC] [--explain]
  --since/--until  rated_at window, since inclusive, until exclusive; a date or date-time, UTC unless it says otherwise
  --model          only answers of this model_version (a pair: its preferred answer's)
  --out-dir        one <format>.jsonl per format; --out takes exactly one format
  --explain        list the message ids left out under each reason`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface DatasetExportArgs {
  targets: ExportTarget[];
  filter: ExportFilter;
  topic?: string;
  explain: boolean;
}

// A date, or a date-time to the minute, second or millisecond, with an optional Z or ±hh:mm offset.
const INSTANT = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** UTC milliseconds of an ISO date or date-time; a time without an offset is UTC, not local. */
export function parseInstant(flag: string, value: string): number {
  const invalid = () =>
    new UsageError(
      `${flag} must be an ISO date or date-time (2025-01-31, 2025-01-31T12:00Z), got "${value}"`,
    );
  const match = INSTANT.exec(value);
  if (!match) throw invalid();
  const [, date, time, zone] = match;
  // Date.parse rolls impossible dates over (02-30 → 03-02): the date must survive a round trip.
  const midnight = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) throw invalid();
  const millis = Date.parse(time && !zone ? `${value}Z` : value);
  if (Number.isNaN(millis)) throw invalid();
  return millis;
}

function parseFormats(value: string | undefined): FormatName[] {
  if (value === undefined) throw new UsageError('--format is required');
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => name !== 'all' && !isFormatName(name));
  if (unknown.length > 0 || names.length === 0)
    throw new UsageError(
      `--format: unknown format "${unknown.join(',') || value}" (${formatNames.join(', ')} or all)`,
    );
  return names.includes('all') ? [...formatNames] : [...new Set(names as FormatName[])];
}

/** Throws UsageError naming the bad flag. */
export function parseDatasetArgs(argv: string[]): DatasetExportArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        format: { type: 'string' },
        out: { type: 'string' },
        'out-dir': { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        model: { type: 'string' },
        topic: { type: 'string' },
        explain: { type: 'boolean' },
      },
    }));
  } catch (error) {
    // node's own message names the flag ("Unknown option '--form'"); keep its first sentence.
    throw new UsageError(error instanceof Error ? error.message.split('. ')[0]! : String(error));
  }
  const formats = parseFormats(values.format);
  const out = values.out;
  const outDir = values['out-dir'];
  if ((out === undefined) === (outDir === undefined))
    throw new UsageError('give one of --out FILE or --out-dir DIR');
  if (out !== undefined && formats.length > 1)
    throw new UsageError(
      `--out takes one format, got ${formats.length} (${formats.join(', ')}): use --out-dir`,
    );
  if (out === '' || outDir === '')
    throw new UsageError(`${out === '' ? '--out' : '--out-dir'} must not be empty`);

  const filter: ExportFilter = {};
  if (values.since !== undefined) filter.since = parseInstant('--since', values.since);
  if (values.until !== undefined) filter.until = parseInstant('--until', values.until);
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until)
    throw new UsageError(`--since (${values.since}) must be before --until (${values.until})`);
  if (values.model !== undefined) {
    if (values.model === '') throw new UsageError('--model must not be empty');
    filter.model = values.model;
  }
  const topic = values.topic;
  if (topic !== undefined && !/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
    throw new UsageError(`--topic must be a Kafka topic name (letters, digits, . _ -), got "${topic}"`);

  const targets = formats.map((format) => ({ format, out: out ?? join(outDir!, `${format}.jsonl`) }));
  return { targets, filter, topic, explain: values.explain ?? false };
}
