// OpenAI supervised fine-tuning, chat format: one conversation per line, ending with the answer to
// learn. Only thumbs-up answers are examples worth imitating.
// https://developers.openai.com/api/docs/guides/supervised-fine-tuning
// https://platform.openai.com/docs/api-reference/fine-tuning/chat-input
import { assistantMessage, promptMessages } from '../chatMessages.ts';
import { reasons } from '../exportFilter.ts';
import { answerFormat } from './datasetFormat.ts';

export const openaiSft = answerFormat(
  'openai-sft',
  (record) => ({ messages: [...promptMessages(record), assistantMessage(record.answer)] }),
  (record) => (record.rating === 'THUMBS_UP' ? undefined : reasons.negativeNotSft),
);
