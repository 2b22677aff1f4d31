// The inference processor: prompts and regeneration requests from the chat topic become answers
// (through Answerer), and users' settings from the identity topic are kept for answering. The
// runtime gives one chat's requests in order, many chats at once, and its intake follows the
// model-server slots: when every slot is busy, fetching waits instead of buffering.
import {
  headerText,
  type HandleContext,
  type ProcessorDefinition,
  type ProcessorRecord,
} from '../runtime/processorDefinition.ts';
import type {
  PromptSubmitted,
  RegenerationRequested,
  UserSettingsChanged,
} from '../../schemas/generated/events.ts';
import { TRACEPARENT_HEADER } from '../../producers/eventProducer.ts';
import type { Answerer } from './answerer.ts';
import { promptRequest, regenerationRequest, type AnswerRequest } from './answerRequest.ts';
import type { RunStore } from './runStore.ts';

export const INFERENCE_PROCESSOR = 'inference';
export const DEFAULT_INFERENCE_METRICS_PORT = 9465;

export interface InferenceProcessorOptions {
  name?: string;
  /** The topics to read requests and settings from (tests and benchmarks use their own). */
  topics: string[];
  /** Attempts for a request that keeps failing transiently (our stores down, history not ready). */
  maxTransientAttempts: number;
  /** Deadline of one attempt, model call included. */
  callTimeoutMs: number;
  /** The records the model servers can take at once (their serving slots). */
  capacity: () => number;
}

function requestOf(record: ProcessorRecord): AnswerRequest | undefined {
  let request: AnswerRequest;
  if (record.name === 'PromptSubmitted') request = promptRequest(record.event as PromptSubmitted);
  else if (record.name === 'RegenerationRequested')
    request = regenerationRequest(record.event as RegenerationRequested);
  else return undefined;
  return { ...request, traceparent: headerText(record.headers[TRACEPARENT_HEADER]) };
}

export function inferenceProcessor(
  answerer: Answerer,
  runs: RunStore,
  options: InferenceProcessorOptions,
): ProcessorDefinition {
  return {
    name: options.name ?? INFERENCE_PROCESSOR,
    topics: options.topics,
    metricsPort: DEFAULT_INFERENCE_METRICS_PORT,
    capacity: options.capacity,
    maxTransientAttempts: options.maxTransientAttempts,
    callTimeoutMs: options.callTimeoutMs,
    async handle(records: ProcessorRecord[], { signal }: HandleContext) {
      for (const record of records) {
        if (record.name === 'UserSettingsChanged') {
          await runs.saveUserSettings(record.event as UserSettingsChanged);
          continue;
        }
        const request = requestOf(record);
        // A model failure is recorded as AnswerFailed inside; what is thrown is ours (stores,
        // history) and judged by the shared failure rules.
        if (request) await answerer.answer(request, signal);
      }
    },
  };
}
