// npm start: bring the local stack up (installing what is missing), run the smoke workload, print
// where everything listens. The stack keeps running afterwards; `npm run stack -- down` stops it.
import { createContext, formatStatus, status, up } from '../stack/manager.ts';
import { services } from '../stack/services/index.ts';
import { runSmokeWorkload } from '../smokeWorkload.ts';

async function main(): Promise<void> {
  const ctx = createContext();
  await up(ctx, services);
  console.log('\nsmoke workload: one round trip through every service');
  await runSmokeWorkload(ctx.config.clients, (s) =>
    console.log(`  ✓ ${s.service.padEnd(10)} ${s.result} [${s.ms} ms]`),
  );
  console.log(`\n${formatStatus(await status(ctx, services))}`);
  console.log('\nThe stack keeps running. Stop it with: npm run stack -- down');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? `error: ${error.message}` : error);
    process.exit(1);
  },
);
