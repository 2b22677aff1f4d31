// The model registry as the parley.model topic states it: fold ModelDeployed/ModelRetired events
// (the latest per version wins) and route a request. Routing and analytics read the same facts.
//
// Routing, among the live versions of the requested model name:
// - CANARY versions take their traffic_share of chats, sticky per chat (a hash of the chat id
//   picks one point in [0, 1); canaries own consecutive slices of it, in version order);
// - the STABLE version (the latest deployed) takes the rest;
// - each SHADOW version gets a copy of its traffic_share of requests (a hash of the request id),
//   for analytics only: its answer never reaches the user.
// A request naming a live version exactly is pinned to it (no canary), shadows still apply.
import { createHash } from 'node:crypto';
import type { ModelDeployed, ModelRetired, ModelRole } from '../../schemas/generated/events.ts';
import type { ModelServerEndpoint } from './modelServerPool.ts';

export interface Deployment {
  version: string;
  modelName: string;
  role: ModelRole;
  trafficShare: number;
  servers: ModelServerEndpoint[];
  contextLength: number;
  deployedAt: number;
}

export interface Route {
  /** The version that answers the user. */
  serving: Deployment;
  /** Versions that get a copy of the request, for analytics only. */
  shadows: Deployment[];
}

/** A stable point in [0, 1) for a key: the same key always lands on the same point. */
export function unitPoint(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

export function deploymentOf(event: ModelDeployed): Deployment {
  const servers = event.servers?.length ? event.servers : [{ url: event.endpoint_url, slots: 1 }];
  return {
    version: event.model_version,
    modelName: event.model_name,
    role: event.role ?? 'STABLE',
    trafficShare: Math.min(1, Math.max(0, event.traffic_share ?? 0)),
    // endpoint_url is documented as the OpenAI base URL (…/v1); pools take the server's root.
    servers: servers.map((s) => ({ url: s.url.replace(/\/v1\/?$/, ''), slots: s.slots })),
    contextLength: event.context_length,
    deployedAt: event.occurred_at,
  };
}

export class ModelRegistry {
  private readonly live = new Map<string, Deployment>();
  /** Per version, the time of the event that last changed it: older events change nothing. */
  private readonly changedAt = new Map<string, number>();

  apply(name: 'ModelDeployed', event: ModelDeployed): void;
  apply(name: 'ModelRetired', event: ModelRetired): void;
  apply(name: 'ModelDeployed' | 'ModelRetired', event: ModelDeployed | ModelRetired): void {
    const version = event.model_version;
    if ((this.changedAt.get(version) ?? -Infinity) > event.occurred_at) return;
    this.changedAt.set(version, event.occurred_at);
    if (name === 'ModelRetired') this.live.delete(version);
    else this.live.set(version, deploymentOf(event as ModelDeployed));
  }

  deployments(): Deployment[] {
    return [...this.live.values()].sort((a, b) => a.version.localeCompare(b.version));
  }

  get(version: string): Deployment | undefined {
    return this.live.get(version);
  }

  /** Where a request for `requested` (a model name or a version) goes; undefined if nothing serves it. */
  route(requested: string, chatId: string, requestId: string): Route | undefined {
    const pinned = this.live.get(requested);
    const modelName = pinned?.modelName ?? requested;
    const versions = this.deployments().filter((d) => d.modelName === modelName);
    const serving = pinned?.role === 'SHADOW' ? undefined : (pinned ?? this.pick(versions, chatId));
    if (!serving) return undefined;
    const shadows = versions.filter(
      (d) => d.role === 'SHADOW' && unitPoint(`${requestId}/${d.version}`) < d.trafficShare,
    );
    return { serving, shadows };
  }

  private pick(versions: Deployment[], chatId: string): Deployment | undefined {
    const point = unitPoint(chatId);
    let upTo = 0;
    for (const canary of versions.filter((d) => d.role === 'CANARY')) {
      upTo += canary.trafficShare;
      if (point < upTo) return canary;
    }
    const stable = versions.filter((d) => d.role === 'STABLE');
    return stable.sort((a, b) => b.deployedAt - a.deployedAt)[0] ?? versions.find((d) => d.role === 'CANARY');
  }
}
