/**
 * Deterministic token counting: about four characters per token, like the providers' own rule of
 * thumb. Exact tokenisers are not the point; stable, realistic-sized numbers are.
 *
 * @module
 */
import { isRecord } from './json-value.ts';

/** Flat cost of an image or audio part: the simulator does not decode media. */
export const MEDIA_PART_TOKENS = 1000;

const MEDIA_TYPES = new Set(['image', 'image_url', 'input_image', 'input_audio', 'file']);

export function countTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Tokens of one content part (OpenAI) or content block (Anthropic), `cache_control` excluded. */
export function countPartTokens(part: unknown): number {
  if (typeof part === 'string') return countTextTokens(part);
  if (!isRecord(part)) return 0;
  const type = part['type'];
  if (typeof part['text'] === 'string') return countTextTokens(part['text']);
  if (typeof part['thinking'] === 'string') return countTextTokens(part['thinking']);
  if (typeof type === 'string' && MEDIA_TYPES.has(type)) return MEDIA_PART_TOKENS;
  const source = part['source'];
  if (type === 'document' && isRecord(source)) {
    const data = source['data'];
    if (source['type'] === 'text' && typeof data === 'string') return countTextTokens(data);
    if (source['type'] === 'content') return countContentTokens(source['content']);
    return MEDIA_PART_TOKENS;
  }
  if (type === 'tool_result') return countContentTokens(part['content']);
  const { cache_control: _ignored, ...rest } = part;
  return countTextTokens(JSON.stringify(rest));
}

/** Tokens of a message `content`: a string, an array of parts, or nothing. */
export function countContentTokens(content: unknown): number {
  if (typeof content === 'string') return countTextTokens(content);
  if (Array.isArray(content)) return content.reduce((sum: number, part) => sum + countPartTokens(part), 0);
  return 0;
}
