// OpenAI preference fine-tuning (DPO): the conversation up to the prompt as `input.messages`, and
// one assistant message each as `preferred_output` and `non_preferred_output`.
// https://developers.openai.com/api/docs/guides/direct-preference-optimization
// https://platform.openai.com/docs/api-reference/fine-tuning/preference-input
import { assistantMessage, promptMessages } from '../chatMessages.ts';
import { pairFormat } from './datasetFormat.ts';

export const openaiDpo = pairFormat('openai-dpo', ({ preferred, nonPreferred }) => ({
  input: { messages: promptMessages(preferred) },
  preferred_output: [assistantMessage(preferred.answer)],
  non_preferred_output: [assistantMessage(nonPreferred.answer)],
}));
