// Model-server slots busy and free, per version and server, scraped from the inference processors'
// /metrics (parley_model_server_slots{version,server,state}). Several inference processors each
// report the requests their own pool has at a server, so figures of the same server add up.
import { errorText } from './errorText.ts';
import { samplesOf } from './prometheusText.ts';
import type { SlotFigure } from './snapshotSchema.ts';

export const SLOTS_METRIC = 'parley_model_server_slots';

export interface SlotFigures {
  slots: SlotFigure[];
  /** One line per endpoint that could not be scraped. */
  errors: string[];
}

/** Adds one scrape's samples into `into`, keyed by version and server. */
export function addSlotSamples(text: string, into: Map<string, SlotFigure>): void {
  for (const { labels, value } of samplesOf(text, SLOTS_METRIC)) {
    const { version, server, state } = labels;
    if (!version || !server || (state !== 'busy' && state !== 'free') || !Number.isFinite(value)) continue;
    const key = JSON.stringify([version, server]);
    const figure = into.get(key) ?? { model_version: version, server, busy: 0, free: 0 };
    figure[state] += Math.max(0, Math.round(value));
    into.set(key, figure);
  }
}

export async function readSlotFigures(urls: readonly string[], signal: AbortSignal): Promise<SlotFigures> {
  const byServer = new Map<string, SlotFigure>();
  const errors: string[] = [];
  await Promise.all(
    urls.map(async (url) => {
      try {
        const response = await fetch(url, { signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        addSlotSamples(await response.text(), byServer);
      } catch (error) {
        errors.push(`${url}: ${errorText(error)}`);
      }
    }),
  );
  if (urls.length > 0 && errors.length === urls.length) throw new Error(errors.join('; '));
  const slots = [...byServer.values()].sort(
    (a, b) => a.model_version.localeCompare(b.model_version) || a.server.localeCompare(b.server),
  );
  return { slots, errors };
}
