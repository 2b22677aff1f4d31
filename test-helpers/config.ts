import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { loadConfig } from '../core/config.ts';

export const config = loadConfig();

/** A name no other test run uses, valid as a Kafka topic, keyspace or table name. */
export const uniqueName = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/** The checkout's root, for spawning the project's own scripts (tests do not import ops/). */
export const repoRoot = resolve(import.meta.dirname, '..');
