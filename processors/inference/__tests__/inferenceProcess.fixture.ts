// An inference processor in a process of its own, so a test can kill -9 it. Arg: JSON of the
// processor's overrides (topics, keyspace, group). Prints "started" once it consumes.
import { onShutdown } from '../../../core/shutdown.ts';
import { startInferenceProcessor, type InferenceProcessorOverrides } from '../startInferenceProcessor.ts';
import { testConfig } from '../../../test-helpers/projector.ts';

const overrides = JSON.parse(process.argv[2]!) as InferenceProcessorOverrides;
const running = await startInferenceProcessor(testConfig, { ...overrides, metricsPort: 0 });
onShutdown(() => running.stop());
console.log('started');
