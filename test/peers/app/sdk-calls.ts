/**
 * Calls made with the real provider SDK clients (openai, @anthropic-ai/sdk), for the producers that
 * instrument those clients. The clients are loaded with `require` after the producer registered,
 * so hook-based instrumentations patch them as they would in a CommonJS service.
 *
 * @module
 */

import { createRequire } from 'node:module';
import type AnthropicType from '@anthropic-ai/sdk';
import type OpenAIType from 'openai';
import { simHeaders } from './scenario.ts';
import type { Scenario } from './scenario.ts';

const require = createRequire(import.meta.url);
const simUrl = (): string => process.env['SIM_URL'] ?? '';

/**
 * The SDK module (`openai`, or an aliased older major such as `openai-v6` for producers whose patches
 * only fit it). Typed as the current major: the calls made here exist in every one used.
 */
export function loadOpenAI(pkg = 'openai'): typeof OpenAIType {
  return require(pkg) as typeof OpenAIType;
}

export function loadAnthropic(pkg = '@anthropic-ai/sdk'): typeof AnthropicType {
  return require(pkg) as typeof AnthropicType;
}

export interface SdkClients {
  openai?: OpenAIType;
  anthropic?: AnthropicType;
}

/** CommonJS builds export the client class both as the module and as `default`. */
function ctor<T>(mod: T): T {
  return (mod as { default?: T }).default ?? mod;
}

export function sdkClients(OpenAIMod?: typeof OpenAIType, AnthropicMod?: typeof AnthropicType): SdkClients {
  const OpenAI = OpenAIMod && ctor(OpenAIMod);
  const Anthropic = AnthropicMod && ctor(AnthropicMod);
  return {
    ...(OpenAI ? { openai: new OpenAI({ baseURL: `${simUrl()}/v1`, apiKey: 'test', maxRetries: 0 }) } : {}),
    ...(Anthropic ? { anthropic: new Anthropic({ baseURL: simUrl(), apiKey: 'test', maxRetries: 0 }) } : {}),
  };
}

const CONTENT = 'Summarise our refund policy.';

export async function sdkCall(clients: SdkClients, s: Scenario): Promise<void> {
  const headers = simHeaders(s);
  if (s.provider === 'anthropic') {
    const client = clients.anthropic;
    if (!client) throw new Error('no anthropic client');
    const params = {
      model: s.model,
      max_tokens: 200,
      messages: [{ role: 'user' as const, content: CONTENT }],
    };
    if (s.stream) {
      const stream = await client.messages.create({ ...params, stream: true }, { headers });
      for await (const event of stream) void event;
    } else {
      await client.messages.create(params, { headers });
    }
    return;
  }
  const client = clients.openai;
  if (!client) throw new Error('no openai client');
  const messages = [{ role: 'user' as const, content: CONTENT }];
  if (s.stream) {
    const stream = await client.chat.completions.create(
      { model: s.model, messages, stream: true, stream_options: { include_usage: true } },
      { headers },
    );
    for await (const chunk of stream) void chunk;
  } else {
    await client.chat.completions.create({ model: s.model, messages }, { headers });
  }
}
