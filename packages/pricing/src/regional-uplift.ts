/**
 * Regional uplift the providers charge and genai-prices does not carry.
 *
 * Claude on Google Vertex AI: from Claude Sonnet 4.5 and Haiku 4.5 on, regional (and multi-region)
 * endpoints cost 10% more than the global endpoint, on every token price
 * (https://docs.claude.com/en/docs/about-claude/pricing#third-party-platform-pricing,
 * https://cloud.google.com/vertex-ai/generative-ai/pricing). genai-prices prices Vertex Claude at
 * the global rate. On Bedrock the uplift is already in genai-prices: its `regional.anthropic.*`
 * models (matched from `us.` / `eu.` / in-region ids) carry the 10%, and `global.` ids the base.
 *
 * @module
 */

import { Dec } from './money.ts';

const VERTEX_UPLIFT = new Dec('1.1');
/** Claude 4.5 and later (sonnet, haiku and opus 4.5 to 4.9, and 5 on). */
const UPLIFTED_CLAUDE = /^claude-(?:sonnet|haiku|opus)-(?:4-[5-9]|[5-9])/;

/** The uplift factor for a call served in `region`, or undefined when none is charged. */
export function regionalUplift(
  providerId: string,
  modelId: string,
  region: string | undefined,
): Dec | undefined {
  const r = region?.trim().toLowerCase();
  if (r === undefined || r === '' || r === 'global') return undefined;
  if (providerId === 'google' && UPLIFTED_CLAUDE.test(modelId)) return VERTEX_UPLIFT;
  return undefined;
}
