// TEST DOUBLE, NOT A MODEL SERVER: the drill's GPU stand-in (test-helpers/modelServerSimulator.ts) as
// its own process, so the drill can kill -9 it like any model server and start it again on the same
// port. The machine has no GPU and the stack's CPU llama-server answers a few prompts a second, not
// the reference peak's 391; this one answers in the OpenAI-compatible protocol at the set pace.
//   standIn.ts '<SimulatorOptions JSON with a fixed port>'
import { startModelServerSimulator, type SimulatorOptions } from '../../test-helpers/modelServerSimulator.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
const simulator = await startModelServerSimulator(options);
process.stdout.write(`${JSON.stringify({ ready: simulator.url })}\n`);
const stop = () => void simulator.close().then(() => process.exit(0));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, stop);
// The drill holds the other end of stdin (standInProcess.ts): its end, the drill's exit, is ours.
process.stdin.once('end', stop).resume();
