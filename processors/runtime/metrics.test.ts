import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessorMetrics } from './metrics.ts';

test('the buffered and in-flight record counts are two gauges, read when scraped', async () => {
  let buffered = 7;
  let inFlight = 3;
  const metrics = new ProcessorMetrics('gauge-test', { buffered: () => buffered, inFlight: () => inFlight });
  const scrape = () => metrics.registry.metrics();
  let text = await scrape();
  assert.match(text, /^parley_processor_records_buffered\{processor="gauge-test"\} 7$/m);
  assert.match(text, /^parley_processor_records_in_flight\{processor="gauge-test"\} 3$/m);
  assert.doesNotMatch(text, /^parley_processor_in_flight\b/m, 'the ambiguous gauge is gone');
  [buffered, inFlight] = [0, 0];
  text = await scrape();
  assert.match(text, /^parley_processor_records_buffered\{processor="gauge-test"\} 0$/m);
  assert.match(text, /^parley_processor_records_in_flight\{processor="gauge-test"\} 0$/m);
});
