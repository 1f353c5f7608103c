/**
 * Per-call tool fees: the names callers use for built-in tools, mapped to the genai-prices price keys
 * that hold their fee per 1,000 calls (e.g. OpenAI web search, $10 per 1,000 calls for gpt-5).
 *
 * @module
 */

const TOOL_PRICE_KEYS: Readonly<Record<string, string>> = {
  web_search: 'web_searches_kcount',
  web_searches: 'web_searches_kcount',
  web_search_call: 'web_searches_kcount',
  web_search_preview: 'web_searches_kcount',
  web_search_requests: 'web_searches_kcount',
  file_search: 'storage_searches_kcount',
  file_search_call: 'storage_searches_kcount',
  storage_search: 'storage_searches_kcount',
  storage_searches: 'storage_searches_kcount',
  social_search: 'social_searches_kcount',
  social_searches: 'social_searches_kcount',
};

/** The genai-prices price key (`…_kcount`) holding the per-1,000-calls fee of a tool, if one is known. */
export function toolPriceKey(tool: string): string | undefined {
  return TOOL_PRICE_KEYS[tool.trim().toLowerCase()];
}
