// The faults of a drill: kill -9 one process of the platform, one at a time. The stack's supervisor
// starts a killed process again (ops/stack/supervise.ts), as a cluster's would; the drill's model
// server stand-in is its own child, so the drill starts that one again itself.
import type { ServiceName } from '../stack/service.ts';

export type FaultTarget = { kind: 'service'; service: ServiceName } | { kind: 'model-stand-in' };

export interface Fault {
  name: string;
  target: FaultTarget;
}

const service = (name: ServiceName): Fault => ({ name, target: { kind: 'service', service: name } });

/** In the order: each processor, the API, the Connect worker, then the servers. */
export const FAULTS: readonly Fault[] = [
  service('processor-cassandra'),
  service('processor-clickhouse'),
  service('processor-feedback'),
  service('processor-inference'),
  service('api'),
  service('connect'),
  service('kafka'),
  service('cassandra'),
  service('clickhouse'),
  service('redis'),
  service('postgres'),
  { name: 'model-server', target: { kind: 'model-stand-in' } },
];

export function selectFaults(names: readonly string[] | undefined): Fault[] {
  if (!names || names.length === 0) return [...FAULTS];
  const unknown = names.filter((n) => !FAULTS.some((f) => f.name === n));
  if (unknown.length > 0)
    throw new Error(
      `unknown fault ${unknown.join(', ')}; faults are: ${FAULTS.map((f) => f.name).join(', ')}`,
    );
  return FAULTS.filter((f) => names.includes(f.name));
}
