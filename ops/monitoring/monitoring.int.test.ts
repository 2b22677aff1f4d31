// The monitoring files (ops/monitoring/) are proven, not only parsed: promtool checks the rules and
// the scrape configuration and runs the rules' unit tests (alerts.test.yml makes every alert fire
// and stay quiet); every metric the rules, their tests and the Grafana dashboard name must be one
// the code defines (a renamed metric fails here, not silently on a dashboard), with labels the code
// gives it; the dashboard's PromQL must parse; and promtool lints the exposition of the real
// metric registries.
//
// promtool comes from Debian's `prometheus` package, installed through the stack's apt helper
// (root, or `sudo apt-get install prometheus` once). No server is needed: nothing here scrapes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpMetrics } from '../../api/http/httpMetrics.ts';
import { registerSlotLagMetrics } from '../../connectors/outbox/slotLag.ts';
import { InferenceMetrics } from '../../processors/inference/inferenceMetrics.ts';
import { ProcessorMetrics } from '../../processors/runtime/metrics.ts';
import { within } from '../../test-helpers/bounded.ts';
import { ensureAptPackages } from '../stack/install/apt.ts';
import { repoRoot } from '../stack/paths.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RULES = join(here, 'alerts.yml');
const RULE_TESTS = join(here, 'alerts.test.yml');
const CONFIG = join(here, 'prometheus.yml');
const DASHBOARD = join(here, 'grafana', 'parley.json');
const PROMTOOL = '/usr/bin/promtool';

/** Labels a series gets from the scrape, not the process: Prometheus's own and prometheus.yml's. */
const TARGET_LABELS = ['job', 'instance', 'component'];
const SEVERITIES = ['critical', 'warning', 'info'];

let work: string;

before(async () => {
  await within(
    'installing promtool (Debian package prometheus)',
    600_000,
    ensureAptPackages([{ path: PROMTOOL, pkg: 'prometheus' }], (m) => console.log(m)),
  );
  work = await mkdtemp(join(tmpdir(), 'parley-monitoring-'));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

// --- promtool ---------------------------------------------------------------------------------

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs promtool (bounded), feeding `stdin`; resolves with its exit code and output, never rejects on a code. */
function promtool(args: string[], stdin?: string): Promise<Outcome> {
  const child = spawn(PROMTOOL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(stdin ?? '');
  return within(
    `promtool ${args.join(' ')}`,
    60_000,
    new Promise<Outcome>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, output }));
    }),
  );
}

async function promtoolOk(args: string[]): Promise<string> {
  const { code, output } = await promtool(args);
  assert.equal(code, 0, `promtool ${args.join(' ')} failed:\n${output}`);
  return output;
}

// --- reading the rule files (a reader for their shape only, not general YAML) -----------------

interface Rule {
  kind: 'alert' | 'record';
  name: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** A plain, single-quoted or double-quoted YAML scalar. */
function scalar(text: string): string {
  const t = text.trim();
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replaceAll("''", "'");
  if (t.startsWith('"') && t.endsWith('"')) return JSON.parse(t) as string;
  return t;
}

/** The value of `key:` at `lines[i]`: its scalar, or the block scalar (`|`, `>`) of the deeper lines after it. */
function valueAt(lines: string[], i: number, rest: string): { value: string; next: number } {
  if (!/^[|>][-+]?$/.test(rest.trim())) return { value: scalar(rest), next: i + 1 };
  const keyIndent = indentOf(lines[i]!);
  const block: string[] = [];
  let j = i + 1;
  while (j < lines.length && (lines[j]!.trim() === '' || indentOf(lines[j]!) > keyIndent))
    block.push(lines[j++]!.trim());
  return { value: block.join('\n').trim(), next: j };
}

function readRules(text: string): Rule[] {
  const lines = text.split('\n');
  const rules: Rule[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = /^(\s*)- (alert|record): (\S+)\s*$/.exec(lines[i]!);
    if (!start) continue;
    const rule: Rule = {
      kind: start[2] as Rule['kind'],
      name: start[3]!,
      expr: '',
      labels: {},
      annotations: {},
    };
    const dash = start[1]!.length;
    let map: Record<string, string> | undefined;
    let mapIndent = 0;
    let j = i + 1;
    while (j < lines.length) {
      const line = lines[j]!;
      if (line.trim() === '' || line.trim().startsWith('#')) {
        j++;
        continue;
      }
      if (indentOf(line) <= dash) break;
      const entry = /^(\s*)([a-z_]+):(.*)$/.exec(line);
      assert.ok(entry, `${rule.name}: cannot read line ${j + 1}: ${line}`);
      const [, indent, key, rest] = entry as unknown as [string, string, string, string];
      if (map && indent.length > mapIndent) {
        const { value, next } = valueAt(lines, j, rest);
        map[key] = value;
        j = next;
        continue;
      }
      map = undefined;
      if (key === 'labels' || key === 'annotations') {
        map = rule[key];
        mapIndent = indent.length;
        j++;
        continue;
      }
      const { value, next } = valueAt(lines, j, rest);
      if (key === 'expr') rule.expr = value;
      if (key === 'for') rule.for = value;
      j = next;
    }
    assert.ok(rule.expr, `${rule.name}: no expr found`);
    rules.push(rule);
    i = j - 1;
  }
  return rules;
}

interface RuleTests {
  /** Alert names with a case expecting them to fire, and with one expecting none. */
  firing: Set<string>;
  quiet: Set<string>;
  /** Input series selectors and promql_expr_test expressions. */
  series: string[];
  exprs: string[];
}

function readRuleTests(text: string): RuleTests {
  const lines = text.split('\n');
  const found: RuleTests = { firing: new Set(), quiet: new Set(), series: [], exprs: [] };
  lines.forEach((line, i) => {
    const alert = /^\s*alertname: (\S+)\s*$/.exec(line);
    if (alert) {
      const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      const expected = /^\s*exp_alerts:(.*)$/.exec(next ?? '');
      assert.ok(expected, `alerts.test.yml line ${i + 2}: exp_alerts must follow alertname ${alert[1]}`);
      const rest = expected[1]!.replace(/#.*$/, '').trim();
      (rest === '[]' ? found.quiet : found.firing).add(alert[1]!);
    }
    const series = /^\s*- series: (.+)$/.exec(line);
    if (series) found.series.push(scalar(series[1]!));
    const expr = /^\s*- expr: (.+)$/.exec(line);
    if (expr) found.exprs.push(scalar(expr[1]!));
  });
  return found;
}

// --- the metrics the code defines ---------------------------------------------------------------

const skipDirs = new Set(['node_modules', '.stack', '.git', 'dist']);

async function productionSources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name) && entry.name !== '__tests__' && entry.name !== 'test-helpers')
        found.push(...(await productionSources(path)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/**
 * Metric names defined in the repo's (non-test) TypeScript: literals in files that use prom-client,
 * and prom-client's default metrics under each collectDefaultMetrics prefix.
 */
async function definedMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of await productionSources(repoRoot)) {
    const text = await readFile(file, 'utf8');
    if (!/from 'prom-client'/.test(text)) continue;
    for (const m of text.matchAll(/'(parley_[a-z0-9_]+)'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/collectDefaultMetrics\(\{[^}]*prefix:\s*'([a-z0-9_]+)'/g))
      prefixes.add(m[1]!);
  }
  assert.ok(prefixes.size > 0 && names.size > 0, 'found metric definitions in the sources');
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const prefix of prefixes)
    for (const metric of defaults.getMetricsAsArray()) names.add(prefix + metric.name);
  return names;
}

/** The registries the processes serve on /metrics, built as they build them (no server needed). */
function servedRegistries(): { processor: Registry; api: Registry } {
  const processor = new ProcessorMetrics('inference', { buffered: () => 0, inFlight: () => 0 });
  new InferenceMetrics(processor.registry, () => undefined);
  // The slot-lag gauges only query PostgreSQL when scraped; without one they report nothing.
  registerSlotLagMetrics(processor.registry, {} as Parameters<typeof registerSlotLagMetrics>[1]);
  return { processor: processor.registry, api: new HttpMetrics().registry };
}

interface Shapes {
  /** Label names per metric (declared, and the registry's default labels). */
  labels: Map<string, Set<string>>;
  /** `le` values per histogram, as the exposition writes them. */
  buckets: Map<string, Set<string>>;
}

/** Labels and buckets of the metrics the processes serve. */
async function metricShapes(): Promise<Shapes> {
  const labels = new Map<string, Set<string>>();
  const buckets = new Map<string, Set<string>>();
  for (const registry of Object.values(servedRegistries())) {
    let defaults: Set<string> | undefined;
    for (const line of (await registry.metrics()).split('\n')) {
      const sample = /^[a-zA-Z_:][\w:]*\{([^}]*)\}/.exec(line);
      if (!sample) continue;
      const names = new Set([...sample[1]!.matchAll(/(\w+)="/g)].map((m) => m[1]!));
      defaults = defaults ? new Set([...defaults].filter((n) => names.has(n))) : names;
    }
    assert.ok(defaults?.size, 'registries carry a default label (processor, service)');
    type Seen = { name: string; labelNames?: readonly string[]; upperBounds?: readonly number[] };
    for (const metric of registry.getMetricsAsArray() as Seen[]) {
      labels.set(metric.name, new Set([...(metric.labelNames ?? []), ...defaults]));
      if (metric.upperBounds) buckets.set(metric.name, new Set([...metric.upperBounds.map(String), '+Inf']));
    }
  }
  return { labels, buckets };
}

// --- what the PromQL names ----------------------------------------------------------------------

const stripStrings = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');

/** Names in a PromQL expression that start with "parley" (metrics, and recording rules with ':'). */
function parleyNames(expr: string): string[] {
  return [...stripStrings(expr).matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((name) => name.startsWith('parley'));
}

const SUFFIX = /_(bucket|sum|count)$/;

interface Known extends Shapes {
  metrics: Set<string>;
  records: Set<string>;
}

/** Problems with the names and selector labels `expr` uses; empty when every one exists. */
function unknownReferences(expr: string, known: Known): string[] {
  const problems: string[] = [];
  const metricOf = (name: string) =>
    known.metrics.has(name)
      ? name
      : known.metrics.has(name.replace(SUFFIX, ''))
        ? name.replace(SUFFIX, '')
        : undefined;
  for (const name of parleyNames(expr)) {
    if (name.includes(':')) {
      if (!known.records.has(name)) problems.push(`${name}: no recording rule of that name in alerts.yml`);
    } else if (!metricOf(name)) problems.push(`${name}: no metric of that name in the code`);
  }
  // Selectors (label values here are double-quoted and hold no braces).
  for (const selector of expr.matchAll(/(parley_[a-z0-9_]+)\s*\{([^}]*)\}/g)) {
    const [, name, matchers] = selector as unknown as [string, string, string];
    const metric = metricOf(name);
    const labels = metric && known.labels.get(metric);
    if (!metric || !labels) continue; // a metric whose labels we cannot see here (checked by name only)
    for (const m of matchers.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      const [, label, op, value] = m as unknown as [string, string, string, string];
      if (label === 'le' && name.endsWith('_bucket')) {
        const bounds = known.buckets.get(metric);
        if (op === '=' && bounds && !bounds.has(value))
          problems.push(`${name}: has no bucket le="${value}" (it has ${[...bounds].join(', ')})`);
      } else if (!labels.has(label) && !TARGET_LABELS.includes(label))
        problems.push(`${name}: has no label "${label}" (it has ${[...labels].join(', ')})`);
    }
  }
  return problems;
}

// --- the dashboard ------------------------------------------------------------------------------

interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: { expr?: string; refId?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

interface Dashboard {
  __inputs?: { name: string; type: string; pluginId: string }[];
  schemaVersion: number;
  uid?: string;
  title?: string;
  panels: Panel[];
  templating?: {
    list: { name: string; datasource?: { uid?: string }; query?: { query?: string } | string }[];
  };
}

const DATASOURCE = '${DS_PROMETHEUS}';

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Grafana's variables replaced by values PromQL accepts, so promtool can parse the query. */
const asPromql = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?(\w+)\}?/g, '.*');

// --- the tests ----------------------------------------------------------------------------------

let known: Known;
let rules: Rule[];

before(async () => {
  rules = readRules(await readFile(RULES, 'utf8'));
  known = {
    metrics: await definedMetrics(),
    records: new Set(rules.filter((r) => r.kind === 'record').map((r) => r.name)),
    ...(await metricShapes()),
  };
});

test('promtool: the rules are valid and their unit tests pass', async () => {
  assert.match(await promtoolOk(['check', 'rules', RULES]), /SUCCESS: \d+ rules found/);
  assert.match(await promtoolOk(['test', 'rules', RULE_TESTS]), /SUCCESS/);
});

test('promtool: the scrape configuration is valid and loads the rules', async () => {
  const output = await promtoolOk(['check', 'config', CONFIG]);
  assert.match(output, /SUCCESS: 1 rule files found/);
  const config = await readFile(CONFIG, 'utf8');
  // The alerts select these jobs; the ports are the code's defaults.
  for (const job of ['parley-api', 'parley-processor'])
    assert.match(config, new RegExp(`job_name: ${job}\\b`), `prometheus.yml scrapes job ${job}`);
  for (const port of [3000, 9464, 9465, 9466, 9467])
    assert.match(config, new RegExp(`127\\.0\\.0\\.1:${port}\\b`), `prometheus.yml scrapes port ${port}`);
});

test('every alert has a for, a severity, annotations, and unit tests that fire it and keep it quiet', async () => {
  const alerts = rules.filter((r) => r.kind === 'alert');
  assert.ok(alerts.length >= 20, `read ${alerts.length} alerts from alerts.yml`);
  assert.equal(new Set(alerts.map((a) => a.name)).size, alerts.length, 'alert names are unique');
  const cases = readRuleTests(await readFile(RULE_TESTS, 'utf8'));
  for (const alert of alerts) {
    assert.match(alert.for ?? '', /^\d+[smh]$/, `${alert.name}: for`);
    assert.ok(
      SEVERITIES.includes(alert.labels.severity ?? ''),
      `${alert.name}: severity ${alert.labels.severity}`,
    );
    for (const key of ['summary', 'description', 'runbook'])
      assert.ok(alert.annotations[key], `${alert.name}: annotation ${key}`);
    assert.ok(cases.firing.has(alert.name), `${alert.name}: alerts.test.yml has no case where it fires`);
    assert.ok(cases.quiet.has(alert.name), `${alert.name}: alerts.test.yml has no case where it stays quiet`);
  }
  for (const name of [...cases.firing, ...cases.quiet])
    assert.ok(
      alerts.some((a) => a.name === name),
      `alerts.test.yml tests ${name}, which alerts.yml lacks`,
    );
  for (const record of rules.filter((r) => r.kind === 'record'))
    assert.match(
      record.name,
      /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/,
      `recording rule ${record.name}: level:metric:operation`,
    );
});

test('the rules and their test series name only metrics and labels the code defines', async () => {
  const cases = readRuleTests(await readFile(RULE_TESTS, 'utf8'));
  const exprs = [...rules.map((r) => r.expr), ...cases.series, ...cases.exprs];
  const used = new Set(exprs.flatMap(parleyNames));
  assert.ok(used.size >= 20, `found ${used.size} names`);
  assert.deepEqual(
    exprs.flatMap((e) => unknownReferences(e, known)),
    [],
  );
});

test('the API latency alerts compare p99 with bucket bounds, where the estimate is exact', () => {
  const bounds = known.buckets.get('parley_api_request_seconds')!;
  const latency = rules.filter(
    (r) => r.kind === 'alert' && r.expr.includes('parley_api:request_seconds:p99_5m'),
  );
  assert.equal(latency.length, 4);
  for (const alert of latency) {
    const threshold = /parley_api:request_seconds:p99_5m\{[^}]*\}\s*>\s*([0-9.]+)/.exec(alert.expr)?.[1];
    assert.ok(
      threshold && bounds.has(threshold),
      `${alert.name}: ${threshold} is one of ${[...bounds].join(', ')}`,
    );
  }
});

test('the Grafana dashboard: an importable dashboard whose PromQL parses and names only real metrics', async () => {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
  assert.ok(dashboard.schemaVersion >= 39, `schemaVersion ${dashboard.schemaVersion}`);
  assert.ok(dashboard.uid && dashboard.title);
  assert.ok(
    dashboard.__inputs?.some(
      (i) => i.name === 'DS_PROMETHEUS' && i.type === 'datasource' && i.pluginId === 'prometheus',
    ),
    'a DS_PROMETHEUS datasource input',
  );
  const panels = allPanels(dashboard.panels);
  const ids = panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  const exprs: { where: string; expr: string }[] = [];
  for (const panel of panels) {
    const pos = panel.gridPos;
    assert.ok(pos && pos.x >= 0 && pos.w > 0 && pos.x + pos.w <= 24, `${panel.title}: gridPos`);
    if (!panel.targets) continue;
    assert.equal(panel.datasource?.uid, DATASOURCE, `${panel.title}: datasource`);
    for (const target of panel.targets) {
      assert.equal(target.datasource?.uid, DATASOURCE, `${panel.title} ${target.refId}: datasource`);
      assert.ok(target.expr, `${panel.title} ${target.refId}: expr`);
      exprs.push({ where: `${panel.title} ${target.refId}`, expr: target.expr });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    assert.equal(variable.datasource?.uid, DATASOURCE, `variable ${variable.name}: datasource`);
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (query) exprs.push({ where: `variable ${variable.name}`, expr: query });
  }
  assert.ok(exprs.length >= 30, `found ${exprs.length} queries`);

  const problems = exprs.flatMap(({ where, expr }) =>
    unknownReferences(expr, known).map((p) => `${where}: ${p}`),
  );
  assert.deepEqual(problems, []);

  // promtool parses every panel query, as a recording rule of a throwaway rule file.
  const promql = exprs.filter((e) => !e.expr.startsWith('label_values('));
  const file = join(work, 'dashboard-queries.yml');
  const records = promql.map(
    ({ expr }, i) =>
      `      - record: dashboard:query_${i}:parse\n        expr: ${JSON.stringify(asPromql(expr))}`,
  );
  await writeFile(file, `groups:\n  - name: dashboard\n    rules:\n${records.join('\n')}\n`);
  assert.match(
    await promtoolOk(['check', 'rules', file]),
    new RegExp(`SUCCESS: ${promql.length} rules found`),
  );
});

test('promtool lints the metrics the processes export: only prom-client defaults are flagged', async () => {
  const served = servedRegistries();
  for (const [name, registry, prefix] of [
    ['processor', served.processor, 'parley_'],
    ['api', served.api, 'parley_api_'],
  ] as const) {
    const { code, output } = await promtool(['check', 'metrics'], await registry.metrics());
    // 0: clean; 3: lint problems (1 would be an exposition that does not parse).
    assert.ok(code === 0 || code === 3, `promtool check metrics (${name}) exit ${code}:\n${output}`);
    // prom-client's own gauges nodejs_active_{handles,requests,resources}_total break the _total rule.
    const ours = output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => !new RegExp(`^${prefix}nodejs_active_(handles|requests|resources)_total `).test(l));
    assert.deepEqual(ours, [], `lint problems in the ${name} metrics`);
  }
});

// The checks above can fail: each is shown failing on a deliberate mistake.

test('a metric, recording rule or label that does not exist is reported', () => {
  assert.deepEqual(
    parleyNames('sum by (topic) (rate(parley_processor_records_consumed_total{topic="parley.chat"}[5m]))'),
    ['parley_processor_records_consumed_total'],
  );
  assert.deepEqual(parleyNames('parley_nodejs_eventloop_lag_p99_seconds > 0.1'), [
    'parley_nodejs_eventloop_lag_p99_seconds',
  ]);
  assert.deepEqual(
    unknownReferences('histogram_quantile(0.99, rate(parley_api_request_seconds_bucket[5m]))', known),
    [],
  );
  assert.deepEqual(unknownReferences('rate(parley_processor_records_consumd_total[5m]) > 0', known), [
    'parley_processor_records_consumd_total: no metric of that name in the code',
  ]);
  assert.deepEqual(unknownReferences('parley:processor_lag:sum > 10', known), [
    'parley:processor_lag:sum: no recording rule of that name in alerts.yml',
  ]);
  assert.deepEqual(unknownReferences('parley_model_server_up{model="gemma"} == 0', known), [
    'parley_model_server_up: has no label "model" (it has version, server, processor)',
  ]);
  assert.deepEqual(
    unknownReferences('parley_model_server_up{version="gemma", job="parley-processor"} == 0', known),
    [],
  );
  assert.deepEqual(unknownReferences('parley_api_request_seconds_bucket{le="0.03"}', known), [
    'parley_api_request_seconds_bucket: has no bucket le="0.03" (it has 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.05, 0.1, 0.25, 1, 5, 30, +Inf)',
  ]);
});

test('promtool test rules fails when an alert no longer does what its tests say', async () => {
  const text = await readFile(RULES, 'utf8');
  const weakened = text.replace(
    'parley:processor_consumer_lag:sum > 10000',
    'parley:processor_consumer_lag:sum > 20000',
  );
  assert.notEqual(weakened, text, 'the lag threshold is in alerts.yml');
  await writeFile(join(work, 'alerts.yml'), weakened);
  await writeFile(join(work, 'alerts.test.yml'), await readFile(RULE_TESTS, 'utf8'));
  const { code, output } = await promtool(['test', 'rules', join(work, 'alerts.test.yml')]);
  assert.notEqual(code, 0);
  assert.match(output, /alertname: ParleyConsumerLagHigh/);

  await writeFile(
    join(work, 'alerts.yml'),
    text.replace('(parley_processor_consumer_lag))', '(parley_processor_consumer_lag)'),
  );
  const broken = await promtool(['check', 'rules', join(work, 'alerts.yml')]);
  assert.notEqual(broken.code, 0, 'a PromQL syntax error fails promtool check rules');
});
