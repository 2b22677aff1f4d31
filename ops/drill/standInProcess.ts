// The drill's model-server stand-in (standIn.ts, a labelled TEST DOUBLE) as a child process on a
// fixed port: started, killed with SIGKILL like a crashed server, started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatorOptions } from '../../test-helpers/modelServerSimulator.ts';
import { within } from '../../core/within.ts';

const ENTRY = fileURLToPath(new URL('./standIn.ts', import.meta.url));

export class StandIn {
  private child: ChildProcess | undefined;

  constructor(private readonly options: SimulatorOptions & { port: number; slots: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get slots(): number {
    return this.options.slots;
  }

  async start(): Promise<void> {
    // Its stdin is a pipe from this process: when the drill dies, however, the pipe closes and the
    // stand-in exits rather than holding its port against the next run.
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(this.options)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child = child;
    await within(
      'the model-server stand-in to listen',
      30_000,
      new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('"ready"') && resolve());
        child.once('exit', (code) => reject(new Error(`the model-server stand-in exited (${code})`)));
      }),
    );
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
