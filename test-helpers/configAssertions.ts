// Asserting that configuration is refused the way the README promises: a ConfigError naming the variable.
import assert from 'node:assert/strict';
import { ConfigError } from '../core/config.ts';

export const assertRejectsVariable = (load: () => unknown, variable: string): void =>
  assert.throws(load, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.match(error.message, new RegExp(`\\b${variable}\\b`));
    return true;
  });
