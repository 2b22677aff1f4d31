import { appServices } from './app.ts';
import { cassandra } from './cassandra.ts';
import { clickhouse } from './clickhouse.ts';
import { connect } from './connect.ts';
import { kafka } from './kafka.ts';
import { model } from './model.ts';
import { postgres } from './postgres.ts';
import { redis } from './redis.ts';
import { registry } from './registry.ts';
import type { ServiceDefinition, ServiceName } from '../service.ts';

/** The stack: the servers. Start order is also table order; slow starters first so they overlap. */
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

/** The servers, then the platform's own processes (the API, the processors, the demo workload). */
export const platformServices: ServiceDefinition[] = [...services, ...appServices];

/** Names for several services at once. */
const groups: Record<string, ServiceDefinition[]> = {
  servers: services,
  app: appServices,
  all: platformServices,
};

/** Services and groups by name; none named: `fallback`. */
export function selectServices(
  names: string[],
  fallback: ServiceDefinition[] = platformServices,
): ServiceDefinition[] {
  if (names.length === 0) return fallback;
  const known = platformServices.map((s) => s.name as string);
  const unknown = names.filter((n) => !known.includes(n) && !(n in groups));
  if (unknown.length > 0) {
    throw new Error(
      `unknown service ${unknown.join(', ')}; services are: ${known.join(', ')}; groups: ${Object.keys(groups).join(', ')}`,
    );
  }
  const picked = new Set(names.flatMap((n) => groups[n]?.map((s) => s.name) ?? [n]));
  return platformServices.filter((s) => picked.has(s.name));
}

/** `selected` plus every service they depend on, transitively, in table order. */
export function withDependencies(selected: ServiceDefinition[]): ServiceDefinition[] {
  const needed = new Set<ServiceName>();
  const add = (name: ServiceName) => {
    if (needed.has(name)) return;
    needed.add(name);
    platformServices.find((s) => s.name === name)?.dependsOn?.forEach(add);
  };
  selected.forEach((s) => add(s.name));
  return platformServices.filter((s) => needed.has(s.name));
}
