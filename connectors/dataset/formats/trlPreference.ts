// TRL preference dataset, conversational format with an explicit prompt (DPOTrainer, RewardTrainer):
// `prompt` is the conversation up to the user's turn, `chosen` and `rejected` one assistant turn each.
// https://huggingface.co/docs/trl/dataset_formats
import { assistantMessage, promptMessages } from '../chatMessages.ts';
import { pairFormat } from './datasetFormat.ts';

export const trlPreference = pairFormat('trl-preference', ({ preferred, nonPreferred }) => ({
  prompt: promptMessages(preferred),
  chosen: [assistantMessage(preferred.answer)],
  rejected: [assistantMessage(nonPreferred.answer)],
}));
