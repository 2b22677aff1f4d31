// Errors shared by the layers that project events and the runtime that runs them. A projection
// throws PoisonRecordError for a record no retry can fix; the runtime dead-letters it at once.

/** A failure the handler already knows to be the record's fault. */
export class PoisonRecordError extends Error {
  override name = 'PoisonRecordError';
  readonly retriable = false;
}
