// npm run stack -- up|down|status|logs [service|group...] [-f]
import { spawn } from 'node:child_process';
import { createContext, down, formatStatus, logPaths, status, up } from '../stack/manager.ts';
import { platformServices, selectServices, services, withDependencies } from '../stack/services/index.ts';
import { runCli } from './runCli.ts';

const usage = `usage: npm run stack -- <command> [service|group...]
commands:
  up      install what is missing, start the services (and those they need), wait until each answers
          (default: the servers; \`npm start\` starts the whole platform)
  down    stop the services this stack started, dependents first (default: all)
  status  state, pid, resident memory, restarts and endpoint of each service (default: all)
  logs    print the last lines of the logs; -f to follow (default: all)
services: ${platformServices.map((s) => s.name).join(', ')}
groups:   servers, app (the API, the processors, the demo workload), all
Every process runs under a supervisor that starts it again if it dies (see RESTARTS in status).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const follow = rest.includes('-f') || rest.includes('--follow');
  const names = rest.filter((a) => !a.startsWith('-'));
  const selected = selectServices(names, command === 'up' ? services : platformServices);
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
