// The layering lint (eslint.config.js) fails a violating import and passes an allowed one: the
// proof that `npm run check` enforces ARCHITECTURE.md, run on text, so no violation is committed.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '..') });

async function layeringErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: Array<[file: string, specifier: string, allowed: boolean]> = [
  ['projections/cassandra/x.ts', '../../processors/runtime/errors.ts', false],
  ['projections/cassandra/x.ts', '../../producers/newEvent.ts', false],
  ['projections/cassandra/x.ts', '../../core/errors.ts', true],
  ['projections/cassandra/x.ts', '../../schemas/uuidV7.ts', true],
  ['schemas/x.ts', '../producers/newEvent.ts', false],
  ['producers/x.ts', '../processors/runtime/processorRuntime.ts', false],
  ['processors/cassandra/x.ts', '../../projections/cassandra/chatList.ts', true],
  ['processors/cassandra/x.ts', '../../ops/stack/paths.ts', false],
  ['api/readModels/x.ts', '../../processors/cassandra/reconcile.ts', false],
  ['api/readModels/x.ts', '../../projections/cassandra/chatList.ts', true],
  ['core/x.ts', '../schemas/catalog.ts', false],
  ['processors/cassandra/x.ts', '../../test-helpers/config.ts', false],
  ['processors/cassandra/__tests__/x.int.test.ts', '../../../test-helpers/config.ts', true],
  ['processors/cassandra/__tests__/x.int.test.ts', '../../../ops/stack/paths.ts', false],
];

for (const [file, specifier, allowed] of cases)
  test(`${file} importing ${specifier} is ${allowed ? 'allowed' : 'refused'}`, async () => {
    const errors = await layeringErrors(file, `import { x } from '${specifier}';\nexport const y = x;\n`);
    if (allowed) assert.deepEqual(errors, []);
    else {
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /breaks the layering: see ARCHITECTURE\.md/);
    }
  });
