/**
 * Identifiers and the headers every response carries, in each provider's format: OpenAI's
 * `x-request-id: req_<32 hex>`, Anthropic's `request-id: req_011C…` (the SDKs expose them as `requestID` /
 * `_request_id`), plus each provider's rate-limit headers.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimProvider } from './types.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += BASE62[byte % BASE62.length] ?? '0';
  return out;
}

export function openAICompletionId(): string {
  return `chatcmpl-${base62(29)}`;
}

export function anthropicMessageId(): string {
  return `msg_01${base62(22)}`;
}

export function providerHeaders(provider: SimProvider): Record<string, string> {
  if (provider === 'openai') {
    return {
      'x-request-id': `req_${randomBytes(16).toString('hex')}`,
      'openai-organization': 'org-simulator',
      'openai-version': '2020-10-01',
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-limit-tokens': '30000000',
      'x-ratelimit-remaining-tokens': '29999000',
      'x-ratelimit-reset-tokens': '2ms',
    };
  }
  if (provider === 'gemini') {
    return { 'x-gemini-service-tier': 'standard', 'server-timing': 'gfet4t7; dur=10', vary: 'Origin' };
  }
  if (provider === 'bedrock') return { 'x-amzn-requestid': randomUUID() };
  // A fixed reset time keeps the headers deterministic; the simulator never actually limits.
  const reset = '2030-01-01T00:00:00Z';
  return {
    'request-id': `req_011C${base62(20)}`,
    'anthropic-organization-id': '00000000-0000-4000-8000-000000000000',
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-input-tokens-limit': '2000000',
    'anthropic-ratelimit-input-tokens-remaining': '2000000',
    'anthropic-ratelimit-input-tokens-reset': reset,
    'anthropic-ratelimit-output-tokens-limit': '400000',
    'anthropic-ratelimit-output-tokens-remaining': '400000',
    'anthropic-ratelimit-output-tokens-reset': reset,
    'anthropic-ratelimit-tokens-limit': '2400000',
    'anthropic-ratelimit-tokens-remaining': '2400000',
    'anthropic-ratelimit-tokens-reset': reset,
  };
}
