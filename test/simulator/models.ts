/**
 * Model facts the simulator needs: which dated snapshot an alias answers with, which OpenAI models
 * reason, and Anthropic's minimum cacheable prefix per model.
 *
 * @module
 */

/** Both APIs answer an alias with the dated snapshot that served it; unknown names are echoed. */
const OPENAI_SNAPSHOTS: Readonly<Record<string, string>> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'gpt-4-turbo': 'gpt-4-turbo-2024-04-09',
  'gpt-4': 'gpt-4-0613',
  'gpt-3.5-turbo': 'gpt-3.5-turbo-0125',
  o1: 'o1-2024-12-17',
  'o3-mini': 'o3-mini-2025-01-31',
  o3: 'o3-2025-04-16',
  'o4-mini': 'o4-mini-2025-04-16',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
};

const ANTHROPIC_SNAPSHOTS: Readonly<Record<string, string>> = {
  'claude-opus-4-5': 'claude-opus-4-5-20251101',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
  'claude-opus-4-0': 'claude-opus-4-20250514',
  'claude-sonnet-4-0': 'claude-sonnet-4-20250514',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet-20250219',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku-20241022',
};

export function openAIResponseModel(requested: string): string {
  return OPENAI_SNAPSHOTS[requested] ?? requested;
}

export function anthropicResponseModel(requested: string): string {
  return ANTHROPIC_SNAPSHOTS[requested] ?? requested;
}

/** o-series and gpt-5 (except the non-reasoning `gpt-5-chat-*`) bill hidden reasoning as completion tokens. */
export function isOpenAIReasoningModel(model: string): boolean {
  if (/^o\d/.test(model)) return true;
  return model.startsWith('gpt-5') && !model.startsWith('gpt-5-chat');
}

/**
 * Anthropic's minimum cacheable prompt length: a breakpoint whose prefix is shorter is not cached
 * (no write, no error). Figures from Anthropic's prompt-caching page.
 */
export function anthropicMinCacheTokens(model: string): number {
  const m = anthropicResponseModel(model);
  if (m.startsWith('claude-opus-4-5') || m.startsWith('claude-haiku-4-5')) return 4096;
  if (m.startsWith('claude-3-5-haiku') || m.startsWith('claude-3-haiku')) return 2048;
  return 1024;
}
