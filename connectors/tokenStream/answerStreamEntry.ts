// The entries of an answer's live token stream: one Redis Stream per answer message, key
// `parley:answer:<answer_message_id>:tokens`. The writer (tokenStreamWriter.ts) and the reader
// (tokenStreamReader.ts) share this format; an SSE endpoint maps each entry 1:1 to an event:
//
//   id: <stream entry id>          (the client's Last-Event-ID; the reader resumes after it)
//   event: <type>
//   data: <JSON of the entry without `type`>
//
// A stream holds one generation run, in this order:
//
//   start  (meta)               the run began: drop anything shown for this answer
//   token  (text)*              text to append; one entry per flush interval, not per token
//   restart (reason)            generation starts again from scratch: drop the text shown so far
//   token  (text)*              ...
//   done   (finish_reason, tokens_in?, tokens_out?)  | error (code, message)     the end; nothing follows
//
// `start` and `restart` mean the same to a reader: reset what it shows. A `restart` with reason
// `resync` is written by the writer itself after a failed Redis write: the token entry that follows
// holds the whole text of the current attempt, so a reader that missed entries is correct again.
// A stream without a terminal entry after its TTL-bounded life was abandoned (its writer crashed).
// Every field value is a string (Redis stream fields); `meta` is a JSON object of strings.

export const defaultAnswerStreamPrefix = 'parley:answer:';

/** The Redis key of an answer's token stream. */
export const answerStreamKey = (answerMessageId: string, prefix = defaultAnswerStreamPrefix): string =>
  `${prefix}${answerMessageId}:tokens`;

export type AnswerStreamEntry =
  | { type: 'start'; meta: Record<string, string> }
  | { type: 'token'; text: string }
  | { type: 'restart'; reason: string }
  | { type: 'done'; finishReason: string; tokensIn?: number; tokensOut?: number }
  | { type: 'error'; code: string; message: string };

export type AnswerStreamEntryType = AnswerStreamEntry['type'];

/** The reason the writer gives when it rewrites the current attempt after a failed write. */
export const resyncReason = 'resync';

export const isTerminal = (entry: AnswerStreamEntry): boolean =>
  entry.type === 'done' || entry.type === 'error';

/** A stream entry id as Redis writes it (`<ms>-<seq>`): what a Last-Event-ID must look like. */
export const isStreamEntryId = (value: string): boolean => /^\d{1,20}-\d{1,20}$/.test(value);

/** `a` minus `b` as stream entry ids: negative, zero or positive. */
export function compareEntryIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  return aMs !== bMs ? (aMs < bMs ? -1 : 1) : aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** The entry as XADD field/value pairs. */
export function encodeEntry(entry: AnswerStreamEntry): string[] {
  switch (entry.type) {
    case 'start':
      return ['type', 'start', 'meta', JSON.stringify(entry.meta)];
    case 'token':
      return ['type', 'token', 'text', entry.text];
    case 'restart':
      return ['type', 'restart', 'reason', entry.reason];
    case 'done':
      return [
        'type',
        'done',
        'finish_reason',
        entry.finishReason,
        ...(entry.tokensIn === undefined ? [] : ['tokens_in', String(entry.tokensIn)]),
        ...(entry.tokensOut === undefined ? [] : ['tokens_out', String(entry.tokensOut)]),
      ];
    case 'error':
      return ['type', 'error', 'code', entry.code, 'message', entry.message];
  }
}

function parseMeta(json: string | undefined): Record<string, string> | undefined {
  if (json === undefined) return {};
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') return undefined;
      meta[k] = v;
    }
    return meta;
  } catch {
    return undefined;
  }
}

/** A token count field: undefined when absent, null when not a count. */
function count(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * An entry from XREAD/XRANGE field/value pairs; undefined for one this version cannot read (an
 * unknown type or a missing field), which a reader skips.
 */
export function decodeEntry(fields: readonly string[]): AnswerStreamEntry | undefined {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const text = (name: string) => f.get(name);
  switch (f.get('type')) {
    case 'start': {
      const meta = parseMeta(text('meta'));
      return meta && { type: 'start', meta };
    }
    case 'token': {
      const t = text('text');
      return t === undefined ? undefined : { type: 'token', text: t };
    }
    case 'restart': {
      const reason = text('reason');
      return reason === undefined ? undefined : { type: 'restart', reason };
    }
    case 'done': {
      const finishReason = text('finish_reason');
      if (finishReason === undefined) return undefined;
      const [tokensIn, tokensOut] = [count(text('tokens_in')), count(text('tokens_out'))];
      if (tokensIn === null || tokensOut === null) return undefined;
      return {
        type: 'done',
        finishReason,
        ...(tokensIn === undefined ? {} : { tokensIn }),
        ...(tokensOut === undefined ? {} : { tokensOut }),
      };
    }
    case 'error': {
      const code = text('code');
      const message = text('message');
      return code === undefined || message === undefined ? undefined : { type: 'error', code, message };
    }
    default:
      return undefined;
  }
}
