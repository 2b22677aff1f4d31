// npm run schemas -- generate|verify|register|check
//   generate  write schemas/generated/events.ts from the .avsc contracts
//   verify    fail if the generated types drift from the contracts (CI)
//   register  register every contract under its TopicRecordNameStrategy subject
//   check     ask the registry whether every contract is compatible with its latest version
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createSchemaRegistry } from '../../core/clients.ts';
import { loadConfig } from '../../core/config.ts';
import { catalog, schemasDir } from '../../schemas/catalog.ts';
import { generateTypes } from '../../schemas/generateTypes.ts';
import { checkCompatibility, registerEvents } from '../../schemas/registry.ts';
import { runCli } from './runCli.ts';

const generatedFile = join(schemasDir, 'generated', 'events.ts');

const commands: Record<string, () => Promise<number>> = {
  async generate() {
    await mkdir(join(schemasDir, 'generated'), { recursive: true });
    await writeFile(generatedFile, generateTypes(catalog));
    console.log(`wrote ${generatedFile} (${catalog.length} event types)`);
    return 0;
  },
  async verify() {
    const current = await readFile(generatedFile, 'utf8').catch(() => '');
    if (current === generateTypes(catalog)) {
      console.log(`✓ generated types match the ${catalog.length} contracts`);
      return 0;
    }
    console.error(
      '✗ schemas/generated/events.ts is out of date with schemas/**/*.avsc: run `npm run schemas -- generate`',
    );
    return 1;
  },
  async register() {
    const ids = await registerEvents(createSchemaRegistry(loadConfig().clients), catalog);
    for (const event of catalog) console.log(`${String(ids.get(event.name)).padStart(5)}  ${event.subject}`);
    return 0;
  },
  async check() {
    const results = await checkCompatibility(loadConfig().clients.schemaRegistryUrl, catalog);
    for (const r of results) {
      console.log(`${r.status === 'incompatible' ? '✗' : '✓'} ${r.subject}: ${r.status}`);
      for (const m of r.messages) console.log(`    ${m}`);
    }
    return results.some((r) => r.status === 'incompatible') ? 1 : 0;
  },
};

runCli(async ([name]) => {
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(`usage: npm run schemas -- <${Object.keys(commands).join('|')}>`);
    return 2;
  }
  return command();
});
