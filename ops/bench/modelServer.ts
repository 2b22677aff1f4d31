// Benchmark: generation speed of the model server as a client sees it (streamed, end to end).
import type { ClientConfig } from '../../core/config.ts';
import { createModelClient } from '../../core/clients.ts';
import { streamChatCompletion } from '../../connectors/model-server/streamChatCompletion.ts';

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

export async function benchModelServer(config: ClientConfig, runs = 8, maxTokens = 128): Promise<void> {
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
}
