// npm run stack -- up|down|status|logs [service...] [-f]
import { spawn } from 'node:child_process';
import { createContext, down, formatStatus, logPaths, status, up } from '../stack/manager.ts';
import { selectServices, serviceNames, withDependencies } from '../stack/services/index.ts';
import { runCli } from './runCli.ts';

const usage = `usage: npm run stack -- <command> [service...]
commands:
  up      install what is missing, start the services (and those they need), wait until each answers
  down    stop the services this stack started (by pid)
  status  state, pid, resident memory and endpoint of each service
  logs    print the last lines of the logs; -f to follow
services: ${serviceNames.join(', ')} (default: all)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const follow = rest.includes('-f') || rest.includes('--follow');
  const selected = selectServices(rest.filter((a) => !a.startsWith('-')));
  const ctx = createContext();
  switch (command) {
    case 'up': {
      // `up connect` starts Kafka and PostgreSQL too (or finds them running): Connect needs both.
      const needed = withDependencies(selected);
      await up(ctx, needed);
      console.log(formatStatus(await status(ctx, needed)));
      return 0;
    }
    case 'down':
      await down(ctx, selected);
      return 0;
    case 'status': {
      const rows = await status(ctx, selected);
      console.log(formatStatus(rows));
      return rows.every((r) => r.state === 'ready') ? 0 : 3;
    }
    case 'logs': {
      const files = await logPaths(ctx, selected);
      if (files.length === 0) {
        console.log('no logs yet: the stack has not been started');
        return 0;
      }
      const child = spawn('tail', ['-n', '50', ...(follow ? ['-F'] : []), ...files], { stdio: 'inherit' });
      return new Promise((resolveCode) => child.on('close', (code) => resolveCode(code ?? 0)));
    }
    default:
      console.error(usage);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

runCli(main);
