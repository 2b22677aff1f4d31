import { randomUUID } from 'node:crypto';
import { loadConfig } from '../core/config.ts';

export const config = loadConfig();

/** A name no other test run uses, valid as a Kafka topic, keyspace or table name. */
export const uniqueName = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
