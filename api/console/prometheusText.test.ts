import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samplesOf } from './prometheusText.ts';
import { addSlotSamples } from './slotFigures.ts';
import type { SlotFigure } from './snapshotSchema.ts';

const exposition = `# HELP parley_model_server_slots Model-server slots per version and server, by state (busy, free)
# TYPE parley_model_server_slots gauge
parley_model_server_slots{version="gemma-3-270m",server="http://127.0.0.1:8080",state="busy",service="inference"} 1
parley_model_server_slots{version="gemma-3-270m",server="http://127.0.0.1:8080",state="free",service="inference"} 3
parley_model_server_slots{version="odd \\"v\\" \\\\ 2",server="http://gpu:8000",state="free"} 8
parley_model_server_slots_total 99
parley_model_server_up{version="gemma-3-270m",server="http://127.0.0.1:8080"} 1
parley_model_server_slots{broken 7
`;

test('samplesOf reads one metric, its labels unescaped, and skips comments, other metrics and malformed lines', () => {
  assert.deepEqual(samplesOf(exposition, 'parley_model_server_slots'), [
    {
      labels: {
        version: 'gemma-3-270m',
        server: 'http://127.0.0.1:8080',
        state: 'busy',
        service: 'inference',
      },
      value: 1,
    },
    {
      labels: {
        version: 'gemma-3-270m',
        server: 'http://127.0.0.1:8080',
        state: 'free',
        service: 'inference',
      },
      value: 3,
    },
    { labels: { version: 'odd "v" \\ 2', server: 'http://gpu:8000', state: 'free' }, value: 8 },
  ]);
  assert.deepEqual(samplesOf('up 1\nnan_metric NaN\ninf_metric +Inf\n', 'inf_metric'), [
    { labels: {}, value: Infinity },
  ]);
});

test('slots add up per version and server across scrapes (several inference processors)', () => {
  const figures = new Map<string, SlotFigure>();
  addSlotSamples(exposition, figures);
  addSlotSamples(exposition, figures);
  assert.deepEqual(
    [...figures.values()],
    [
      { model_version: 'gemma-3-270m', server: 'http://127.0.0.1:8080', busy: 2, free: 6 },
      { model_version: 'odd "v" \\ 2', server: 'http://gpu:8000', busy: 0, free: 16 },
    ],
  );
});
