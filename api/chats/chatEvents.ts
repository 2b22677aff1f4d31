// Chat events go straight to Kafka (the chat topic, keyed by chat id): the API writes nothing else
// durable. `note` helpers that follow a publish are best-effort (see readYourWrites.ts).
import { newEvent } from '../../producers/newEvent.ts';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import type { ApiDeps } from '../apiDeps.ts';
import type { Principal } from '../auth/principal.ts';
import { badRequest } from '../http/errors.ts';

export async function publishChatEvent<N extends EventName>(
  deps: ApiDeps,
  name: N,
  body: Parameters<typeof newEvent<N>>[1],
): Promise<EventMap[N]> {
  const event = newEvent(name, body);
  await deps.producer.publish(name, event, { topic: deps.topics.chat });
  return event;
}

/** True for writes made with an API key (third parties), false for the first-party apps' sessions. */
export const viaApi = (principal: Principal) => principal.via === 'api_key';

/** A model the client named must be served now (a name with a live version, or a live version). */
export function requireServedModel(deps: ApiDeps, model: string | undefined, field: string): void {
  if (model !== undefined && !deps.models.registry.route(model, '', ''))
    throw badRequest(`${field}: no live deployment serves ${model} (see GET /v1/models)`, field);
}
