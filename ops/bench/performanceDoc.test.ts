import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composePerformanceDoc, DEFAULT_HEAD, REPORT_MARKER } from './performanceDoc.ts';

test('a new docs/performance.md: the how-to-reproduce head, the marker, the report', () => {
  const doc = composePerformanceDoc(undefined, '## Benchmark report\n\nfigures\n');
  assert.equal(doc, `${DEFAULT_HEAD}\n\n${REPORT_MARKER}\n\n## Benchmark report\n\nfigures\n`);
  assert.match(doc, /## How to reproduce\n/);
});

test('rewriting replaces the report below the marker and keeps the head as edited', () => {
  const edited = `# Performance\n\n## How to reproduce\n\nan edit kept\n\n${REPORT_MARKER}\n\nold figures\n`;
  const doc = composePerformanceDoc(edited, 'new figures\n');
  assert.equal(
    doc,
    `# Performance\n\n## How to reproduce\n\nan edit kept\n\n${REPORT_MARKER}\n\nnew figures\n`,
  );
});

test('a file without the marker (hand-written) gets the default head', () => {
  assert.ok(composePerformanceDoc('# Something else\n', 'r\n').startsWith(DEFAULT_HEAD));
});
