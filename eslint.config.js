import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layering (ARCHITECTURE.md): core ← schemas ← producers ← processors; projections are pure
// (schemas and core only); connectors are edges; the API reads stores and writes events, never runs
// a processor; nothing imports ops/; only tests import test-helpers/. Each entry: the folder, and the
// top-level folders its source files must not import.
const layers = {
  core: ['schemas', 'producers', 'processors', 'projections', 'connectors', 'api', 'ops', 'test-helpers'],
  schemas: ['producers', 'processors', 'projections', 'connectors', 'api', 'ops', 'test-helpers'],
  projections: ['producers', 'processors', 'connectors', 'api', 'ops', 'test-helpers'],
  producers: ['processors', 'projections', 'connectors', 'api', 'ops', 'test-helpers'],
  connectors: ['processors', 'projections', 'api', 'ops', 'test-helpers'],
  processors: ['api', 'ops', 'test-helpers'],
  api: ['processors', 'ops', 'test-helpers'],
  'test-helpers': ['ops'],
};

const tests = ['**/*.test.ts', '**/__tests__/**', '**/*.fixture.ts'];

/** An import that climbs out of its folder and into `folder` (specifiers are relative paths). */
const into = (folder) => ({
  regex: `^(\\.\\./)+${folder}/`,
  message: `breaks the layering: see ARCHITECTURE.md ("${folder}/" is not importable from here)`,
});

const layerRule = (forbidden) => ({
  'no-restricted-imports': ['error', { patterns: forbidden.map(into) }],
});

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...Object.entries(layers).map(([folder, forbidden]) => ({
    files: [`${folder}/**/*.ts`],
    ignores: tests,
    rules: layerRule(forbidden),
  })),
  // Tests may reach across layers (an end-to-end test needs the projector and the reader), but
  // not into ops/: they run the project's scripts as a user would, by path.
  {
    files: tests.map((glob) => glob),
    ignores: ['ops/**'],
    rules: layerRule(['ops']),
  },
);
