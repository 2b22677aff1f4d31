// TRL unpaired preference dataset, conversational format (KTOTrainer): every rated answer with
// `label` true for thumbs up, false for thumbs down. Needs no sibling, so no rating is wasted.
// https://huggingface.co/docs/trl/dataset_formats
import { assistantMessage, promptMessages } from '../chatMessages.ts';
import { answerFormat } from './datasetFormat.ts';

export const trlKto = answerFormat('trl-kto', (record) => ({
  prompt: promptMessages(record),
  completion: [assistantMessage(record.answer)],
  label: record.rating === 'THUMBS_UP',
}));
