// A stateful generator of realistic, mutually consistent events: logins for registered users, prompts
// in existing chats threaded by parent id, answers to pending prompts, ratings of real answers.
import { v7 as uuidv7 } from 'uuid';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import { newEvent, type Cause } from '../newEvent.ts';
import type { Random } from './random.ts';
import { actionWeights, messageSizes, type Action } from './trafficModel.ts';

export interface GeneratedEvent<N extends EventName = EventName> {
  name: N;
  event: EventMap[N];
}

interface User {
  userId: string;
  sessionId?: string;
}

interface Chat {
  chatId: string;
  userId: string;
  model: string;
  lastMessageId: string | null;
}

interface PendingPrompt {
  chat: Chat;
  messageId: string;
  /** The id its first answer takes (fixed by the prompt, as the inference processor requires). */
  answerId: string;
  cause: Cause;
  promptBytes: number;
}

const words = (
  'the a model answer chat kafka stream event user prompt token data query latency cluster partition ' +
  'schema replay offset topic consumer producer batch window join state store python code explain why ' +
  'how when write summary translate list example function error retry timeout cache index table row'
).split(' ');

const models = ['gemma-3-270m', 'gemma-3-270m-ft-2026-11', 'llama-3.2-1b'];
const POOL = 5_000;

export class ChatWorkload {
  private readonly users: User[] = [];
  private readonly chats: Chat[] = [];
  /** Prompts awaiting an answer, oldest first. */
  private readonly pendingPrompts: PendingPrompt[] = [];
  /** Recent answers, candidates for ratings. */
  private readonly answers: Array<{ chat: Chat; messageId: string }> = [];
  /** Recently answered prompts, candidates for a regenerated answer (a sibling of the first). */
  private readonly answeredPrompts: PendingPrompt[] = [];

  constructor(
    private readonly random: Random,
    private readonly clock: () => number = Date.now,
  ) {}

  private text(bytes: number): string {
    let out = '';
    while (out.length < bytes) out += (out ? ' ' : '') + this.random.pick(words);
    return out.slice(0, Math.max(1, bytes));
  }

  private size(shape: { median: number; sigma: number }): number {
    return Math.min(
      messageSizes.maxContentBytes,
      Math.max(2, Math.round(this.random.logNormal(shape.median, shape.sigma))),
    );
  }

  /** A UUIDv7 at the workload's clock, from the seeded random source (chat and message ids). */
  private timeOrderedId(): string {
    const random = new Uint8Array(16).map(() => this.random.int(256));
    return uuidv7({ msecs: this.clock(), random });
  }

  private remember<T>(pool: T[], item: T): T {
    if (pool.length < POOL) pool.push(item);
    else pool[this.random.int(POOL)] = item;
    return item;
  }

  private user(): User {
    return this.users.length === 0 || this.random.chance(0.001)
      ? this.register().user
      : this.random.pick(this.users);
  }

  /** An existing chat; undefined when there is none yet (the caller then opens one). */
  private chat(): Chat | undefined {
    return this.chats.length === 0 ? undefined : this.random.pick(this.chats);
  }

  private event<N extends EventName>(
    name: N,
    body: Parameters<typeof newEvent<N>>[1],
    causedBy?: Cause,
  ): GeneratedEvent<N> {
    return { name, event: newEvent(name, body, { causedBy, occurredAt: this.clock() }) };
  }

  private register() {
    const user = this.remember(this.users, { userId: this.random.uuid() });
    const generated = this.event('UserRegistered', {
      user_id: user.userId,
      email: `user-${user.userId.slice(0, 8)}@example.com`,
      display_name: `User ${user.userId.slice(0, 4)}`,
      locale: this.random.pick(['en', 'en-GB', 'de', 'fr', 'pt-BR', 'ja']),
      plan: this.random.chance(0.9) ? 'FREE' : 'PLUS',
      client: this.random.pick(['WEB', 'IOS', 'ANDROID'] as const),
    });
    return { user, generated };
  }

  private createChat() {
    const user = this.user();
    const chat = this.remember(this.chats, {
      chatId: this.timeOrderedId(),
      userId: user.userId,
      model: this.random.pick(models),
      lastMessageId: null,
    });
    const generated = this.event('ChatCreated', {
      chat_id: chat.chatId,
      user_id: chat.userId,
      title: null,
      model_version: chat.model,
      system_prompt: null,
      via_api: this.random.chance(0.15),
    });
    return { chat, generated };
  }

  /** One event of the given type, consistent with what was generated before. */
  sample<N extends EventName>(name: N): GeneratedEvent<N> {
    // An answer or rating may first need its prompt or answer; those are generated on the way.
    for (;;) {
      const generated = this.generate(name);
      if (generated.name === name) return generated as GeneratedEvent<N>;
    }
  }

  /** The next event of the traffic mix. */
  next(): GeneratedEvent {
    let roll = this.random.next();
    for (const [name, weight] of actionWeights) {
      roll -= weight;
      if (roll < 0) return this.generate(name);
    }
    return this.generate('PromptSubmitted');
  }

  /** An answer to `prompt`: the first, or a regeneration with the same parent (a sibling). */
  private answer(prompt: PendingPrompt, messageId: string): GeneratedEvent<'AnswerGenerated'> {
    const r = this.random;
    const chat = prompt.chat;
    const latency = Math.round(r.logNormal(1_800, 0.6));
    const answerBytes = this.size(messageSizes.answerBytes);
    this.remember(this.answers, { chat, messageId });
    chat.lastMessageId = messageId;
    return this.event(
      'AnswerGenerated',
      {
        chat_id: chat.chatId,
        user_id: chat.userId,
        message_id: messageId,
        parent_message_id: prompt.messageId,
        role: 'ASSISTANT',
        content: this.text(answerBytes),
        model_version: chat.model,
        tokens_in: Math.ceil(prompt.promptBytes / 4) + 20,
        tokens_out: Math.ceil(answerBytes / 4),
        latency_ms: latency,
        time_to_first_token_ms: Math.round(latency * 0.1),
        finish_reason: r.chance(0.97) ? 'STOP' : 'LENGTH',
        via_api: false,
        inference_run_id: r.uuid(),
        // Derived, not drawn: an extra draw would shift every seed's later events.
        server: `gpu-${latency % 3}`,
        traffic_role: 'STABLE',
        cache_hit: false,
      },
      prompt.cause,
    );
  }

  private generate(name: Action): GeneratedEvent {
    const r = this.random;
    switch (name) {
      case 'AnswerRegenerated': {
        if (this.answeredPrompts.length === 0) return this.generate('AnswerGenerated');
        return this.answer(r.pick(this.answeredPrompts), this.timeOrderedId());
      }
      case 'UserRegistered':
        return this.register().generated;
      case 'UserLoggedIn': {
        const user = this.user();
        user.sessionId = r.uuid();
        return this.event('UserLoggedIn', {
          user_id: user.userId,
          session_id: user.sessionId,
          method: r.pick(['PASSWORD', 'OAUTH', 'SSO'] as const),
          client: r.pick(['WEB', 'IOS', 'ANDROID', 'API'] as const),
          ip_hash: r.uuid().replaceAll('-', ''),
          user_agent: 'Mozilla/5.0 (X11; Linux x86_64) ParleyLoadgen/1.0',
        });
      }
      case 'UserLoggedOut': {
        const user = this.user();
        const sessionId = user.sessionId ?? r.uuid();
        user.sessionId = undefined;
        return this.event('UserLoggedOut', { user_id: user.userId, session_id: sessionId, reason: 'USER' });
      }
      case 'UserSettingsChanged':
        return this.event('UserSettingsChanged', {
          user_id: this.user().userId,
          default_model: r.pick(models),
          temperature: Math.round(r.next() * 10) / 10,
          system_prompt: null,
          language: null,
          theme: r.pick(['LIGHT', 'DARK', 'SYSTEM'] as const),
          training_opt_in: r.chance(0.7),
        });
      case 'ApiKeyIssued':
        return this.event('ApiKeyIssued', {
          user_id: this.user().userId,
          api_key_id: r.uuid(),
          key_prefix: `pk_${r.uuid().slice(0, 6)}`,
          name: 'loadgen key',
          scopes: ['chats:read', 'chats:write'],
          expires_at: null,
        });
      case 'ChatCreated':
        return this.createChat().generated;
      case 'ChatRenamed': {
        const chat = this.chat();
        if (!chat) return this.createChat().generated;
        return this.event('ChatRenamed', {
          chat_id: chat.chatId,
          user_id: chat.userId,
          title: this.text(24),
        });
      }
      case 'ChatDeleted': {
        const chat = this.chat();
        if (!chat) return this.createChat().generated;
        this.chats.splice(this.chats.indexOf(chat), 1);
        return this.event('ChatDeleted', { chat_id: chat.chatId, user_id: chat.userId });
      }
      case 'PromptSubmitted': {
        const chat = this.chat();
        if (!chat) return this.createChat().generated;
        const messageId = this.timeOrderedId();
        const answerId = this.timeOrderedId();
        const promptBytes = this.size(messageSizes.promptBytes);
        const generated = this.event('PromptSubmitted', {
          chat_id: chat.chatId,
          user_id: chat.userId,
          message_id: messageId,
          parent_message_id: chat.lastMessageId,
          role: 'USER',
          content: this.text(promptBytes),
          model_version: chat.model,
          attachment_ids: [],
          via_api: r.chance(0.15),
          temperature: null,
          max_tokens: null,
          answer_message_id: answerId,
        });
        if (this.pendingPrompts.length >= POOL) this.pendingPrompts.shift();
        this.pendingPrompts.push({ chat, messageId, answerId, cause: generated.event, promptBytes });
        chat.lastMessageId = messageId;
        return generated;
      }
      case 'AttachmentUploaded': {
        const chat = this.chat();
        if (!chat) return this.createChat().generated;
        return this.event('AttachmentUploaded', {
          chat_id: chat.chatId,
          user_id: chat.userId,
          attachment_id: r.uuid(),
          file_name: `${this.random.pick(words)}.pdf`,
          media_type: 'application/pdf',
          size_bytes: Math.round(r.logNormal(200_000, 1)),
          sha256: r.uuid().replaceAll('-', '').repeat(2),
          storage_uri: `s3://parley-attachments/${chat.chatId}/${r.uuid()}`,
        });
      }
      case 'AnswerGenerated':
      case 'AnswerFailed': {
        // An answer needs a published prompt; with none pending, the prompt comes first.
        const prompt = this.pendingPrompts.shift();
        if (!prompt) return this.generate('PromptSubmitted');
        if (name === 'AnswerGenerated') {
          this.remember(this.answeredPrompts, prompt);
          return this.answer(prompt, prompt.answerId);
        }
        return this.event(
          'AnswerFailed',
          {
            chat_id: prompt.chat.chatId,
            user_id: prompt.chat.userId,
            message_id: prompt.answerId,
            parent_message_id: prompt.messageId,
            model_version: prompt.chat.model,
            error_code: 'TIMEOUT',
            error_message: 'model server did not answer within 60 s',
            retriable: true,
            attempts: 3,
            latency_ms: 60_000,
          },
          prompt.cause,
        );
      }
      case 'MessageRated': {
        if (this.answers.length === 0) return this.generate('AnswerGenerated');
        const { chat, messageId } = r.pick(this.answers);
        const up = r.chance(0.75);
        return this.event('MessageRated', {
          chat_id: chat.chatId,
          user_id: chat.userId,
          message_id: messageId,
          rating: up ? 'THUMBS_UP' : 'THUMBS_DOWN',
          comment: r.chance(0.2) ? this.text(40) : null,
          reasons: up ? [] : [r.pick(['inaccurate', 'unhelpful', 'too-long', 'unsafe'])],
        });
      }
      case 'ModelDeployed':
        return this.event('ModelDeployed', {
          model_version: r.pick(models),
          model_name: 'gemma-3',
          base_model_version: null,
          serving_engine: 'LLAMA_CPP',
          endpoint_url: 'http://127.0.0.1:8080/v1',
          context_length: 4096,
          training_run_id: null,
        });
      case 'ModelRetired':
        return this.event('ModelRetired', {
          model_version: r.pick(models),
          replaced_by: models[0]!,
          reason: 'superseded',
        });
      case 'TrainingStarted':
        return this.event('TrainingStarted', {
          training_run_id: r.uuid(),
          model_version: `gemma-3-270m-ft-${r.int(1000)}`,
          base_model_version: models[0]!,
          method: 'DPO',
          dataset_snapshot: 'feedback-2026-11-24',
          feedback_records: 10_000 + r.int(10_000),
        });
      case 'TrainingFinished':
        return this.event('TrainingFinished', {
          training_run_id: r.uuid(),
          model_version: `gemma-3-270m-ft-${r.int(1000)}`,
          status: 'SUCCEEDED',
          metrics: { eval_loss: 1.5 + r.next(), win_rate: r.next() },
          duration_ms: 3_600_000 + r.int(1_000_000),
        });
      // Not in the mix: key revocations, and the inference processor's input and output, sampled
      // for contract tests.
      case 'ApiKeyRevoked': {
        const issued = this.sample('ApiKeyIssued').event;
        return this.event('ApiKeyRevoked', { user_id: issued.user_id, api_key_id: issued.api_key_id });
      }
      case 'RegenerationRequested': {
        const prompt = this.sample('PromptSubmitted').event;
        return this.event('RegenerationRequested', {
          chat_id: prompt.chat_id,
          user_id: prompt.user_id,
          prompt_message_id: prompt.message_id,
          answer_message_id: this.timeOrderedId(),
          model_version: null,
          temperature: null,
          max_tokens: null,
          via_api: false,
        });
      }
      case 'ShadowAnswerRecorded': {
        const answer = this.sample('AnswerGenerated').event;
        return this.event('ShadowAnswerRecorded', {
          chat_id: answer.chat_id,
          user_id: answer.user_id,
          shadow_run_id: r.uuid(),
          prompt_message_id: answer.parent_message_id,
          live_answer_message_id: answer.message_id,
          live_model_version: answer.model_version,
          model_version: `${answer.model_version}-shadow`,
          server: 'http://127.0.0.1:8080',
          content: answer.content,
          tokens_in: answer.tokens_in,
          tokens_out: answer.tokens_out,
          latency_ms: answer.latency_ms,
          time_to_first_token_ms: answer.time_to_first_token_ms,
          finish_reason: answer.finish_reason,
          error_code: null,
          via_api: answer.via_api,
        });
      }
      case 'FeedbackRecord': {
        const prompt = this.sample('PromptSubmitted').event;
        this.pendingPrompts.unshift(this.pendingPrompts.pop()!); // answer this prompt next
        const answer = this.sample('AnswerGenerated').event;
        return this.event('FeedbackRecord', {
          message_id: answer.message_id,
          chat_id: answer.chat_id,
          user_id: answer.user_id,
          prompt_message_id: answer.parent_message_id,
          prompt: prompt.content,
          answer: answer.content,
          model_version: answer.model_version,
          rating: 'THUMBS_UP',
          comment: null,
          rated_at: this.clock(),
          sibling_message_ids: [],
        });
      }
    }
  }
}
