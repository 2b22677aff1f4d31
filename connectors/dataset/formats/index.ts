// The export formats by name: the one list the CLI, the schemas and the docs follow.
import type { DatasetFormat } from './datasetFormat.ts';
import { openaiDpo } from './openaiDpo.ts';
import { openaiSft } from './openaiSft.ts';
import { trlKto } from './trlKto.ts';
import { trlPreference } from './trlPreference.ts';

export const formatNames = ['openai-sft', 'openai-dpo', 'trl-preference', 'trl-kto'] as const;
export type FormatName = (typeof formatNames)[number];

export const datasetFormats: Record<FormatName, DatasetFormat> = {
  'openai-sft': openaiSft,
  'openai-dpo': openaiDpo,
  'trl-preference': trlPreference,
  'trl-kto': trlKto,
};

export const isFormatName = (name: string): name is FormatName =>
  (formatNames as readonly string[]).includes(name);
