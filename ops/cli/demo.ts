// The demo workload's process (ops/platform/demoWorkload.ts), run by the stack as the `demo` service:
//   demo --credentials <json file with email and password> --status-file <file> --interval-ms <n>
// Runs until SIGTERM/SIGINT, finishing the step in progress.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../core/config.ts';
import { onShutdown } from '../../core/shutdown.ts';
import { runDemo } from '../platform/demoWorkload.ts';
import { runCli } from './runCli.ts';

runCli(async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      credentials: { type: 'string' },
      'status-file': { type: 'string' },
      'interval-ms': { type: 'string' },
    },
  });
  if (!values.credentials || !values['status-file'] || !values['interval-ms']) {
    console.error('usage: demo --credentials <file> --status-file <file> --interval-ms <n>');
    return 2;
  }
  const { email, password } = JSON.parse(await readFile(values.credentials, 'utf8')) as {
    email: string;
    password: string;
  };
  const api = loadConfig().clients.api;
  let stopping = false;
  const running = runDemo(
    {
      apiUrl: `http://${api.host}:${api.port}`,
      email,
      password,
      intervalMs: Number(values['interval-ms']),
      statusFile: values['status-file'],
    },
    () => stopping,
  );
  onShutdown(async () => {
    stopping = true;
    await running;
  });
  await running;
  return 0;
});
