// Runs a setup command to completion; a failure carries the command and the tail of its output.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Receives output lines as they arrive (progress of long installs). */
  onLine?: (line: string) => void;
}

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly command: string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`command failed (exit ${exitCode}): ${command.join(' ')}\n${tail(output, 30)}`);
  }
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function run(command: string[], options: RunOptions = {}): Promise<string> {
  const [file, ...args] = command;
  if (!file) return Promise.reject(new Error('empty command'));
  return new Promise((resolveRun, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (output.length > 1_000_000) output = output.slice(-500_000);
      if (options.onLine) {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        lines.forEach(options.onLine);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolveRun(output) : reject(new CommandError(command, code, output)),
    );
  });
}
