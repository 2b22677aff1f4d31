// One ModelServerPool per live model version, kept in step with the registry: a new deployment
// gets a pool, a retired one's pool is closed once its requests finish, a deployment whose servers
// changed gets a fresh pool.
import type { Deployment, ModelRegistry } from './modelRegistry.ts';
import { defaultPoolSettings, ModelServerPool, type PoolSettings } from './modelServerPool.ts';

const serversOf = (d: Deployment) => JSON.stringify(d.servers);

export class ModelPools {
  private readonly pools = new Map<string, { pool: ModelServerPool; servers: string }>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly settings: PoolSettings = defaultPoolSettings,
  ) {
    this.sync();
  }

  /** Brings the pools in line with the registry; call after every registry change. */
  sync(): void {
    const live = new Map(this.registry.deployments().map((d) => [d.version, d]));
    for (const [version, { pool }] of this.pools) {
      if (!live.has(version) || serversOf(live.get(version)!) !== this.pools.get(version)!.servers) {
        pool.close();
        this.pools.delete(version);
      }
    }
    for (const [version, deployment] of live) {
      if (this.pools.has(version)) continue;
      // The registry names the served model by its name; servers load one model each.
      const pool = new ModelServerPool(deployment.modelName, deployment.servers, this.settings);
      pool.startProbing();
      this.pools.set(version, { pool, servers: serversOf(deployment) });
    }
  }

  pool(version: string): ModelServerPool | undefined {
    return this.pools.get(version)?.pool;
  }

  /** Slots of the versions that answer users (shadows get copies and do not pace the intake). */
  servingSlots(): number {
    let slots = 0;
    for (const deployment of this.registry.deployments()) {
      if (deployment.role === 'SHADOW') continue;
      slots += deployment.servers.reduce((sum, s) => sum + s.slots, 0);
    }
    return slots;
  }

  /** Per version and server: busy and total slots, breaker and health (metrics, the console). */
  status(): Array<{ version: string } & ReturnType<ModelServerPool['status']>[number]> {
    return [...this.pools].flatMap(([version, { pool }]) => pool.status().map((s) => ({ version, ...s })));
  }

  close(): void {
    for (const { pool } of this.pools.values()) pool.close();
    this.pools.clear();
  }
}
