import { cassandra } from './cassandra.ts';
import { clickhouse } from './clickhouse.ts';
import { connect } from './connect.ts';
import { kafka } from './kafka.ts';
import { model } from './model.ts';
import { postgres } from './postgres.ts';
import { redis } from './redis.ts';
import { registry } from './registry.ts';
import type { ServiceDefinition, ServiceName } from '../service.ts';

/** Start order is also table order; slow starters first so they overlap with the rest. */
export const services: ServiceDefinition[] = [
  cassandra,
  kafka,
  registry,
  postgres,
  redis,
  clickhouse,
  connect,
  model,
];

export const serviceNames = services.map((s) => s.name);

export function selectServices(names: string[]): ServiceDefinition[] {
  if (names.length === 0) return services;
  const unknown = names.filter((n) => !serviceNames.includes(n as ServiceName));
  if (unknown.length > 0) {
    throw new Error(`unknown service ${unknown.join(', ')}; services are: ${serviceNames.join(', ')}`);
  }
  return services.filter((s) => names.includes(s.name));
}

/** `selected` plus every service they depend on, transitively, in table order. */
export function withDependencies(selected: ServiceDefinition[]): ServiceDefinition[] {
  const needed = new Set<ServiceName>();
  const add = (name: ServiceName) => {
    if (needed.has(name)) return;
    needed.add(name);
    services.find((s) => s.name === name)?.dependsOn?.forEach(add);
  };
  selected.forEach((s) => add(s.name));
  return services.filter((s) => needed.has(s.name));
}
