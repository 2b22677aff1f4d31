// Generated from schemas/**/*.avsc by `npm run schemas -- generate`. Do not edit.
// Fields with an Avro default are optional when producing; decoded events always carry them.

/** Another answer to the same prompt (a regeneration). */
export interface FeedbackSibling {
  /** The sibling answer. */
  message_id: string;
  /** Its text. */
  answer: string;
  /** Model version that produced it. */
  model_version: string;
  /** Its latest rating, if rated. */
  rating?: null | FeedbackRating;
  /** The rater's comment on it, if any. */
  comment?: null | string;
}
/** One OpenAI-compatible server of the version. */
export interface ModelServer {
  /** Base URL, without /v1. */
  url: string;
  /** Requests it generates at once (vLLM max_num_seqs, llama.cpp --parallel). */
  slots: number;
}
/** One earlier turn of the conversation. */
export interface FeedbackTurn {
  /** system, user or assistant */
  role: string;
  /** The turn's text. */
  content: string;
}
/** One turn of a conversation a client sent with its prompt. */
export interface ContextMessage {
  /** system, user or assistant */
  role: string;
  /** The turn's text. */
  content: string;
}
export type AnswerErrorCode = 'TIMEOUT' | 'MODEL_UNAVAILABLE' | 'CONTEXT_OVERFLOW' | 'CONTENT_FILTER' | 'RATE_LIMITED' | 'INVALID_REQUEST' | 'INTERNAL';
export type ClientKind = 'WEB' | 'IOS' | 'ANDROID' | 'API' | 'OTHER';
export type FeedbackRating = 'THUMBS_UP' | 'THUMBS_DOWN';
export type FinishReason = 'STOP' | 'LENGTH' | 'CONTENT_FILTER' | 'TOOL_CALLS' | 'CANCELLED' | 'OTHER';
export type LoginMethod = 'PASSWORD' | 'OAUTH' | 'SSO' | 'API_KEY' | 'OTHER';
export type LogoutReason = 'USER' | 'EXPIRED' | 'REVOKED' | 'OTHER';
export type MessageRole = 'USER' | 'ASSISTANT' | 'SYSTEM';
export type ModelRole = 'STABLE' | 'CANARY' | 'SHADOW';
export type Plan = 'FREE' | 'PLUS' | 'TEAM' | 'ENTERPRISE';
export type Rating = 'THUMBS_UP' | 'THUMBS_DOWN';
export type ServingEngine = 'VLLM' | 'TGI' | 'LLAMA_CPP' | 'OTHER';
export type Theme = 'LIGHT' | 'DARK' | 'SYSTEM';
export type TrafficRole = 'STABLE' | 'CANARY' | 'OTHER';
export type TrainingMethod = 'SFT' | 'DPO' | 'RLHF' | 'OTHER';
export type TrainingStatus = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** An API key was issued to a user. The secret itself is never in an event. Key: user_id. */
export interface ApiKeyIssued {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Owner of the key. */
  user_id: string;
  /** Id of the key. */
  api_key_id: string;
  /** First characters of the key, to recognise it in lists (e.g. pk_3f9a). */
  key_prefix: string;
  /** Label given by the user. */
  name: string;
  /** Granted scopes, e.g. chats:read, chats:write. */
  scopes?: Array<string>;
  /** Expiry, or null for a key that does not expire. */
  expires_at?: null | number;
}

/** A user revoked one of their API keys; requests with it are refused from then on. Key: user_id. */
export interface ApiKeyRevoked {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Owner of the key. */
  user_id: string;
  /** Id of the revoked key (as in its ApiKeyIssued). */
  api_key_id: string;
}

/** A user started a session. Key: user_id. */
export interface UserLoggedIn {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Who logged in. */
  user_id: string;
  /** The new session's id. */
  session_id: string;
  /** Authentication method. */
  method?: LoginMethod;
  /** Client used. */
  client?: ClientKind;
  /** Hash of the client IP address (never the address itself), for abuse analytics. */
  ip_hash?: null | string;
  /** User-Agent header, truncated to 512 characters. */
  user_agent?: null | string;
}

/** A session ended. Key: user_id. */
export interface UserLoggedOut {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Whose session ended. */
  user_id: string;
  /** The session that ended. */
  session_id: string;
  /** Why the session ended. */
  reason?: LogoutReason;
}

/** A user account was created. Key: user_id. */
export interface UserRegistered {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The new user's id. */
  user_id: string;
  /** Login e-mail address, lower-cased. */
  email: string;
  /** Name shown in the UI. */
  display_name: string;
  /** BCP 47 language tag chosen at sign-up, e.g. en-GB. */
  locale?: string;
  /** Plan at sign-up. */
  plan?: Plan;
  /** Client used to sign up. */
  client?: ClientKind;
}

/** A user changed settings; only the changed fields are set (null = unchanged). Key: user_id. */
export interface UserSettingsChanged {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Whose settings changed. */
  user_id: string;
  /** New default model version for new chats. */
  default_model?: null | string;
  /** New sampling temperature, 0.0-2.0. */
  temperature?: null | number;
  /** New custom system prompt (empty string clears it). */
  system_prompt?: null | string;
  /** New UI/answer language, BCP 47. */
  language?: null | string;
  /** New UI theme. */
  theme?: null | Theme;
  /** Whether the user's chats may be used to train future models; the feedback dataset honours it. */
  training_opt_in?: null | boolean;
}

/** The model could not answer a prompt. Key: chat_id. */
export interface AnswerFailed {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** Owner of the chat. */
  user_id: string;
  /** Id reserved for the answer that failed. A UUIDv7 (time-sortable); producers reject other ids. */
  message_id: string;
  /** The prompt that was not answered. A UUIDv7 (time-sortable); producers reject other ids. */
  parent_message_id: string;
  /** Model version that was asked. */
  model_version: string;
  /** Class of failure. */
  error_code?: AnswerErrorCode;
  /** Human-readable detail (no secrets, no prompt text). */
  error_message: string;
  /** Whether retrying the same prompt may succeed. */
  retriable: boolean;
  /** Attempts made before giving up. */
  attempts?: number;
  /** Time spent before giving up. */
  latency_ms: number;
  /** True when the prompt came through the public API; null before this field existed. */
  via_api?: null | boolean;
  /** Inference run (PostgreSQL) that recorded the failure; null for a failure recorded before this field existed. */
  inference_run_id?: null | string;
  /** Model server of the last attempt; null when no server was reached or before this field existed. */
  server?: null | string;
  /** The version's role when it failed; null when unknown. */
  traffic_role?: null | TrafficRole;
}

/** The model answered a prompt. Key: chat_id. */
export interface AnswerGenerated {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** Owner of the chat. */
  user_id: string;
  /** Id of the answer message (UUIDv7). */
  message_id: string;
  /** The prompt answered. Regenerated answers share it, forming siblings. A UUIDv7 (time-sortable); producers reject other ids. */
  parent_message_id: string;
  /** ASSISTANT for model answers. */
  role?: MessageRole;
  /** The answer text. */
  content: string;
  /** Model version that produced the answer. */
  model_version: string;
  /** Prompt tokens billed (including context). */
  tokens_in: number;
  /** Completion tokens generated. */
  tokens_out: number;
  /** From request to the model server to the last token. */
  latency_ms: number;
  /** From request to the first streamed token; null when not streamed. */
  time_to_first_token_ms?: null | number;
  /** Why generation stopped. */
  finish_reason?: FinishReason;
  /** True when the prompt came through the public API. */
  via_api?: boolean;
  /** Inference run (PostgreSQL) that produced the answer. */
  inference_run_id?: null | string;
  /** Model server that answered (its name in the deployment), or response-cache; null when unknown (before this field existed, or no server was reached). */
  server?: null | string;
  /** The answering version's role when it answered; null before this field existed. */
  traffic_role?: null | TrafficRole;
  /** True when the response cache answered (temperature 0 only; no model call); null before this field existed. */
  cache_hit?: null | boolean;
}

/** A file was attached to a chat. Key: chat_id. */
export interface AttachmentUploaded {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** Who uploaded it. */
  user_id: string;
  /** Id of the attachment. */
  attachment_id: string;
  /** Original file name. */
  file_name: string;
  /** IANA media type, e.g. application/pdf. */
  media_type: string;
  /** Size in bytes. */
  size_bytes: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** Where the bytes are stored (object store URI). */
  storage_uri: string;
}

/** A chat (conversation) was opened. Key: chat_id. */
export interface ChatCreated {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The new chat's id. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** Owner of the chat; only the owner may read or write it. */
  user_id: string;
  /** Initial title; null until named or summarised. */
  title?: null | string;
  /** Model version the chat starts with. */
  model_version: string;
  /** System prompt for the chat, if any. */
  system_prompt?: null | string;
  /** True when created through the public API (API key), false from the first-party apps. */
  via_api?: boolean;
}

/** A chat was deleted by its owner; read models hide it and its messages. Key: chat_id. */
export interface ChatDeleted {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** The owner, who deleted it. */
  user_id: string;
}

/** A chat's title changed. Key: chat_id. */
export interface ChatRenamed {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** The owner, who renamed it. */
  user_id: string;
  /** New title. */
  title: string;
}

/** A user rated an answer; a later rating of the same message replaces it. Key: chat_id. */
export interface MessageRated {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** Who rated (the chat's owner). */
  user_id: string;
  /** The rated answer. A UUIDv7 (time-sortable); producers reject other ids. */
  message_id: string;
  /** The rating. */
  rating: Rating;
  /** Optional free-text comment. */
  comment?: null | string;
  /** Optional preset reasons (e.g. inaccurate, unsafe, too-long). */
  reasons?: Array<string>;
}

/** A user message was submitted and awaits an answer. Key: chat_id. */
export interface PromptSubmitted {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** The author (the chat's owner). */
  user_id: string;
  /** Id of this message: a UUIDv7, so ids sort by time. */
  message_id: string;
  /** The message this one follows in the thread; null for the first. An edited prompt has the same parent as the original, making them siblings. A UUIDv7 (time-sortable); producers reject other ids. */
  parent_message_id?: null | string;
  /** USER for prompts; SYSTEM for injected system messages. */
  role?: MessageRole;
  /** The message text (UTF-8). */
  content: string;
  /** Model version asked to answer. */
  model_version: string;
  /** Attachments sent with the prompt (see AttachmentUploaded). */
  attachment_ids?: Array<string>;
  /** True when submitted through the public API. */
  via_api?: boolean;
  /** Sampling temperature requested; null for the model's default. */
  temperature?: null | number;
  /** Upper bound on answer tokens; null for the server's default. */
  max_tokens?: null | number;
  /** Id the answer will take (a UUIDv7), fixed by the request so that handling it twice can never make a second answer. Null in events written before the field existed: the inference processor then derives the id from message_id. */
  answer_message_id?: null | string;
  /** The conversation before the prompt as an OpenAI-compatible client sent it (system, user and assistant turns, oldest first); when present the inference processor answers with it instead of the chat's history. Null for prompts of the chat front end. */
  context?: null | Array<ContextMessage>;
}

/** The user asked for another answer to a prompt already in the chat; the new answer is a sibling of the earlier ones (same parent). Key: chat_id. */
export interface RegenerationRequested {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** The chat's owner, who asked. */
  user_id: string;
  /** The prompt to answer again (a UUIDv7). */
  prompt_message_id: string;
  /** Id the new answer will take (a UUIDv7), fixed by the request so that handling it twice can never make a second answer. */
  answer_message_id: string;
  /** Model (name or version) to answer with; null for the prompt's own. */
  model_version?: null | string;
  /** Sampling temperature; null for the prompt's own. */
  temperature?: null | number;
  /** Upper bound on answer tokens; null for the prompt's own. */
  max_tokens?: null | number;
  /** True when requested through the public API. */
  via_api?: boolean;
}

/** A model version started serving, or changed how it serves (role, traffic share, servers): the parley.model topic is the model registry, and the latest ModelDeployed of a version is its configuration. Key: model_version. */
export interface ModelDeployed {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Unique version label, e.g. gemma-3-270m@2026-11-24. */
  model_version: string;
  /** Model family name. */
  model_name: string;
  /** Model version it was fine-tuned from. */
  base_model_version?: null | string;
  /** Inference server software. */
  serving_engine?: ServingEngine;
  /** OpenAI-compatible base URL serving it. */
  endpoint_url: string;
  /** Maximum context in tokens. */
  context_length: number;
  /** Training run that produced it, if any. */
  training_run_id?: null | string;
  /** How the version takes traffic among the versions of its model_name. */
  role?: ModelRole;
  /** CANARY: the share of chats (0 to 1) routed to it, sticky per chat. SHADOW: the share of requests copied to it. STABLE: unused (it takes the rest). */
  traffic_share?: number;
  /** The servers of this version; empty: endpoint_url alone, with one slot. */
  servers?: Array<ModelServer>;
}

/** A model version stopped serving. Key: model_version. */
export interface ModelRetired {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The retired version. */
  model_version: string;
  /** Version that replaces it, if any. */
  replaced_by?: null | string;
  /** Why it was retired. */
  reason?: null | string;
}

/** A fine-tuning run ended. Key: model_version. */
export interface TrainingFinished {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Id of the run. */
  training_run_id: string;
  /** Version label the run produced (or would have). */
  model_version: string;
  /** Outcome. */
  status: TrainingStatus;
  /** Evaluation metrics by name, e.g. eval_loss. */
  metrics?: Record<string, number>;
  /** Wall-clock duration. */
  duration_ms: number;
}

/** A fine-tuning run started. Key: model_version (the version being trained). */
export interface TrainingStarted {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** Id of the run. */
  training_run_id: string;
  /** Version label the run will produce. */
  model_version: string;
  /** Version being fine-tuned. */
  base_model_version: string;
  /** Fine-tuning method. */
  method?: TrainingMethod;
  /** Identifier of the feedback dataset export used. */
  dataset_snapshot: string;
  /** Number of feedback records in the dataset. */
  feedback_records: number;
}

/** One rated answer with its prompt, its conversation and its sibling answers, ready for fine-tuning; the latest record per answer wins (compacted topic), and a tombstone (null value) removes it (chat deleted, user erased or opted out of training). Key: message_id. */
export interface FeedbackRecord {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The rated answer. A UUIDv7 (time-sortable); producers reject other ids. */
  message_id: string;
  /** The chat it belongs to. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** Owner of the chat (who opted in to training). */
  user_id: string;
  /** The prompt the answer replied to. A UUIDv7 (time-sortable); producers reject other ids. */
  prompt_message_id: string;
  /** The prompt text. */
  prompt: string;
  /** The answer text. */
  answer: string;
  /** Model version that produced the answer. */
  model_version: string;
  /** The latest rating. */
  rating: FeedbackRating;
  /** The rater's comment, if any. */
  comment?: null | string;
  /** When the latest rating was given. */
  rated_at: number;
  /** Other answers to the same prompt (regenerations), for preference pairs. */
  sibling_message_ids?: Array<string>;
  /** The conversation before the prompt, oldest first: the chat's system prompt, then the thread's earlier prompts and answers. */
  context?: Array<FeedbackTurn>;
  /** The other answers to the same prompt with their ratings: the material of preference pairs. */
  siblings?: Array<FeedbackSibling>;
  /** The rater's preset reasons (e.g. inaccurate, unsafe, too-long). */
  reasons?: Array<string>;
}

/** A shadow model version answered (or failed to answer) a copy of a prompt, for analytics only: the answer never reaches the user or the chat topic. Key: chat_id. */
export interface ShadowAnswerRecorded {
  /** Unique id of this event; consumers deduplicate on it. */
  event_id: string;
  /** When the fact happened, in UTC milliseconds since the epoch. */
  occurred_at: number;
  /** Id shared by every event of one user interaction (e.g. a prompt and its answer). */
  correlation_id: string;
  /** event_id of the event that caused this one; null for an event caused directly by a user. */
  causation_id?: null | string;
  /** The chat. A UUIDv7 (time-sortable); producers reject other ids. */
  chat_id: string;
  /** Owner of the chat. */
  user_id: string;
  /** The shadow's inference run (PostgreSQL); unique per live answer and shadow version. */
  shadow_run_id: string;
  /** The prompt answered (a UUIDv7). */
  prompt_message_id: string;
  /** The answer the user got for the same request (a UUIDv7). */
  live_answer_message_id: string;
  /** Model version that answered the user. */
  live_model_version: string;
  /** The shadow model version. */
  model_version: string;
  /** Model server that answered; empty when none did. */
  server: string;
  /** The shadow's answer text; null when it failed. */
  content?: null | string;
  /** Prompt tokens (including context); 0 when unknown. */
  tokens_in?: number;
  /** Completion tokens generated; 0 when it failed. */
  tokens_out?: number;
  /** From request to the last token, or to the failure. */
  latency_ms: number;
  /** From request to the first token; null when none came. */
  time_to_first_token_ms?: null | number;
  /** Why generation stopped; null when it failed. */
  finish_reason?: null | FinishReason;
  /** Class of failure; null when it answered. */
  error_code?: null | AnswerErrorCode;
  /** True when the prompt came through the public API. */
  via_api?: boolean;
}

export interface EventMap {
  ApiKeyIssued: ApiKeyIssued;
  ApiKeyRevoked: ApiKeyRevoked;
  UserLoggedIn: UserLoggedIn;
  UserLoggedOut: UserLoggedOut;
  UserRegistered: UserRegistered;
  UserSettingsChanged: UserSettingsChanged;
  AnswerFailed: AnswerFailed;
  AnswerGenerated: AnswerGenerated;
  AttachmentUploaded: AttachmentUploaded;
  ChatCreated: ChatCreated;
  ChatDeleted: ChatDeleted;
  ChatRenamed: ChatRenamed;
  MessageRated: MessageRated;
  PromptSubmitted: PromptSubmitted;
  RegenerationRequested: RegenerationRequested;
  ModelDeployed: ModelDeployed;
  ModelRetired: ModelRetired;
  TrainingFinished: TrainingFinished;
  TrainingStarted: TrainingStarted;
  FeedbackRecord: FeedbackRecord;
  ShadowAnswerRecorded: ShadowAnswerRecorded;
}

export type EventName = keyof EventMap;
export type ParleyEvent = EventMap[EventName];
