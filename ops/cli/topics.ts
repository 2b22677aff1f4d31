// npm run topics -- apply: create the platform's topics or bring them in line (idempotent).
import { createKafka } from '../../core/clients.ts';
import { loadConfig } from '../../core/config.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { runCli } from './runCli.ts';

runCli(async ([command]) => {
  if (command !== 'apply') {
    console.error('usage: npm run topics -- apply');
    return 2;
  }
  const config = loadConfig().clients;
  const admin = createKafka(config, 'parley-topics').admin();
  await admin.connect();
  try {
    const specs = topicSpecs(config.topics);
    const report = await provisionTopics(admin, specs);
    for (const t of report.created) console.log(`created  ${t}`);
    for (const t of report.partitionsAdded) console.log(`grown    ${t}`);
    for (const t of report.configsUpdated) console.log(`updated  ${t}`);
    for (const w of report.warnings) console.log(`warning  ${w}`);
    const changes = report.created.length + report.partitionsAdded.length + report.configsUpdated.length;
    if (changes === 0) console.log(`no changes: ${specs.length} topics as specified`);
    return 0;
  } finally {
    await admin.disconnect();
  }
});
