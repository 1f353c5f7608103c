/** Producers' provider spellings → the semconv names the pricer understands (DIALECTS.md §8.10). */

import { describe, expect, it } from 'vitest';
import { normaliseProviderName, providerOf } from '../src/recognise/provider.ts';

describe('provider names', () => {
  it.each([
    ['openai', 'openai'],
    ['OpenAI', 'openai'], // legacy Traceloop gen_ai.system
    ['Anthropic', 'anthropic'],
    ['openai.chat', 'openai'], // AI SDK provider ids
    ['openai.responses', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['AWS', 'aws.bedrock'],
    ['aws', 'aws.bedrock'], // OpenInference llm.provider
    ['amazon-bedrock', 'aws.bedrock'],
    ['aws.bedrock', 'aws.bedrock'],
    ['Azure', 'azure.ai.openai'],
    ['azure-openai', 'azure.ai.openai'],
    ['az.ai.inference', 'azure.ai.inference'],
    ['google', 'gcp.gen_ai'],
    ['Google', 'gcp.gen_ai'],
    ['google.vertex', 'gcp.vertex_ai'],
    ['vertex_ai', 'gcp.vertex_ai'],
    ['gemini', 'gcp.gemini'],
    ['xai', 'x_ai'],
    ['mistralai', 'mistral_ai'],
    ['OpenRouter', 'openrouter'],
  ])('%s → %s', (raw, want) => {
    expect(normaliseProviderName(raw)).toBe(want);
  });

  it('falls back to the server address, then the model name', () => {
    expect(providerOf({ 'server.address': 'api.anthropic.com' }, '')).toBe('anthropic');
    expect(providerOf({ 'server.address': 'my-res.openai.azure.com' }, 'gpt-4o')).toBe('azure.ai.openai');
    expect(providerOf({ 'server.address': 'bedrock-runtime.us-east-1.amazonaws.com' }, '')).toBe(
      'aws.bedrock',
    );
    expect(providerOf({ 'server.address': '127.0.0.1' }, 'claude-sonnet-4-5')).toBe('anthropic');
    expect(providerOf({}, 'gpt-4o-mini')).toBe('openai');
    expect(providerOf({}, 'us.anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe('aws.bedrock');
    expect(providerOf({}, 'gemini-2.5-flash')).toBe('gcp.gemini');
    expect(providerOf({}, 'my-finetune')).toBe('');
  });

  it('a dialect key wins over gen_ai.system (the AI SDK writes its provider id in both)', () => {
    expect(
      providerOf({ 'ai.model.provider': 'anthropic.messages', 'gen_ai.system': 'x' }, '', [
        'ai.model.provider',
      ]),
    ).toBe('anthropic');
  });
});
