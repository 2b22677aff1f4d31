// Benchmark: generation speed of the model server as a client sees it (streamed, end to end).
import { parseArgs } from 'node:util';
import type { ClientConfig } from '../../core/config.ts';
import { createModelClient } from '../../core/clients.ts';
import { streamChatCompletion } from '../../connectors/model-server/streamChatCompletion.ts';
import { benchCommand, type BenchResult } from './result.ts';

const prompts = [
  'Explain what a message queue is.',
  'Write a short story about a lighthouse keeper.',
  'List some uses of the Kafka streaming platform.',
  'Describe the city of Lisbon.',
];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

function parseOptions(argv: string[]): { runs: number; maxTokens: number } {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: 'string' }, 'max-tokens': { type: 'string' } },
  });
  const options = { runs: Number(values.runs ?? 8), maxTokens: Number(values['max-tokens'] ?? 128) };
  if (![options.runs, options.maxTokens].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('usage: npm run bench -- model [--runs 8] [--max-tokens 128]');
  return options;
}

export async function benchModelServer(config: ClientConfig, argv: string[]): Promise<BenchResult> {
  const { runs, maxTokens } = parseOptions(argv);
  const client = createModelClient(config);
  await streamChatCompletion(client, {
    model: config.modelServer.model,
    messages: [{ role: 'user', content: 'hi' }],
    maxTokens: 8,
  });
  const decodeRates: number[] = [];
  const ttfts: number[] = [];
  let tokens = 0;
  let seconds = 0;
  for (let i = 0; i < runs; i++) {
    const result = await streamChatCompletion(client, {
      model: config.modelServer.model,
      messages: [{ role: 'user', content: prompts[i % prompts.length]! }],
      maxTokens,
      temperature: 0,
    });
    const generated = result.completionTokens ?? 0;
    const ttft = result.timeToFirstTokenMs ?? result.latencyMs;
    ttfts.push(ttft);
    if (generated > 1) decodeRates.push((generated - 1) / ((result.latencyMs - ttft) / 1000));
    tokens += generated;
    seconds += result.latencyMs / 1000;
  }
  const mean = decodeRates.reduce((a, b) => a + b, 0) / decodeRates.length;
  console.log(
    `model server ${config.modelServer.url} (${config.modelServer.model}), ${runs} sequential streamed requests, max_tokens ${maxTokens}`,
  );
  console.log(`  decode speed       ${mean.toFixed(1)} tokens/s (mean over requests, after the first token)`);
  console.log(
    `  end to end         ${(tokens / seconds).toFixed(1)} tokens/s (${tokens} tokens in ${seconds.toFixed(1)} s)`,
  );
  console.log(
    `  time to 1st token  p50 ${percentile(ttfts, 50).toFixed(0)} ms, max ${Math.max(...ttfts).toFixed(0)} ms`,
  );
  return {
    bench: 'model',
    command: benchCommand('model', argv),
    figures: [
      { name: 'decode speed (after the first token)', value: mean, unit: 'tokens/s' },
      { name: 'end to end', value: tokens / seconds, unit: 'tokens/s' },
      { name: 'time to first token p50', value: percentile(ttfts, 50), unit: 'ms' },
      { name: 'time to first token max', value: Math.max(...ttfts), unit: 'ms' },
    ],
    notes: [
      `${config.modelServer.model} at ${config.modelServer.url}: ${runs} sequential streamed requests, max_tokens ${maxTokens}`,
    ],
  };
}
