// Fills the metadata every event carries, so callers write only the facts.
import { randomUUID } from 'node:crypto';
import type { EventMap, EventName } from '../schemas/generated/events.ts';

type Metadata = 'event_id' | 'occurred_at' | 'correlation_id' | 'causation_id';

export interface Cause {
  event_id: string;
  correlation_id: string;
}

/**
 * `causedBy` links the new event to the one that triggered it (same correlation id, causation id =
 * its event id); without it the event starts a new interaction.
 */
export function newEvent<N extends EventName>(
  _name: N,
  body: Omit<EventMap[N], Metadata>,
  options: { causedBy?: Cause; occurredAt?: number } = {},
): EventMap[N] {
  const eventId = randomUUID();
  return {
    event_id: eventId,
    occurred_at: options.occurredAt ?? Date.now(),
    correlation_id: options.causedBy?.correlation_id ?? eventId,
    causation_id: options.causedBy?.event_id ?? null,
    ...body,
  } as EventMap[N];
}
