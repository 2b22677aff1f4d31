// Reads samples of one metric from Prometheus' text exposition format (what prom-client serves on
// /metrics): enough for the console to take a gauge from a processor without a Prometheus server.
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

// name{label="value",...} value [timestamp]; label values escape \\, \" and \n.
const line =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:\s*[a-zA-Z_][a-zA-Z0-9_]*\s*=\s*"(?:[^"\\]|\\.)*"\s*,?)*)\})?\s+(\S+)/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
const unescape = (value: string) => value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** Prometheus spells the special values +Inf, -Inf and NaN. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Every sample of `metric` (comments and other metrics skipped; a malformed line too). */
export function samplesOf(text: string, metric: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = line.exec(trimmed);
    if (!match || match[1] !== metric) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(label)) labels[name!] = unescape(value!);
    samples.push({ labels, value: sampleValue(match[3]!) });
  }
  return samples;
}
