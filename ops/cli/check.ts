// npm run check: the static checks CI runs before the tests (types, lint, formatting).
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../stack/paths.ts';

const checks: Array<[string, string[]]> = [
  ['typecheck', ['node_modules/.bin/tsc', '--noEmit']],
  ['lint', ['node_modules/.bin/eslint', '.']],
  ['format', ['node_modules/.bin/prettier', '--check', '--log-level', 'warn', '.']],
  [
    'generated event types match schemas/',
    [process.execPath, '--import', 'tsx', 'ops/cli/schemas.ts', 'verify'],
  ],
];

let failed = 0;
for (const [name, [cmd, ...args]] of checks) {
  const result = spawnSync(cmd!, args, { cwd: repoRoot, stdio: 'inherit' });
  console.log(`${result.status === 0 ? '✓' : '✗'} ${name}`);
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
