// What a benchmark report must say about where it ran: the figures mean little without the
// machine, how busy it already was, and the code measured.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { promisify } from 'node:util';
import type { MachineInfo } from './result.ts';
import { repoRoot } from '../stack/paths.ts';

const git = async (...args: string[]) =>
  (await promisify(execFile)('git', args, { cwd: repoRoot })).stdout.trim();

/** Debian's PRETTY_NAME (the kernel alone does not name the distribution), and the kernel. */
async function osName(): Promise<string> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
  return pretty ? `${pretty} (Linux ${release()})` : `${process.platform} ${release()}`;
}

export async function describeMachine(): Promise<MachineInfo> {
  const [one, five, fifteen] = loadavg();
  const [commit, status] = await Promise.all([
    git('rev-parse', '--short', 'HEAD').catch(() => 'unknown'),
    git('status', '--porcelain').catch(() => ''),
  ]);
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cpuCount: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    os: await osName(),
    node: process.version,
    loadAverage: [one ?? NaN, five ?? NaN, fifteen ?? NaN],
    commit,
    dirty: status !== '',
  };
}
