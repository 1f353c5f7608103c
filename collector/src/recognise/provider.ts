/**
 * The provider of a model call, spelled the way the OTel GenAI conventions do (`openai`,
 * `anthropic`, `aws.bedrock`, `gcp.gemini`, …), whatever the producer wrote: the AI SDK's provider
 * ids (`openai.chat`, `anthropic.messages`), legacy Traceloop's `OpenAI` / `AWS`, OpenInference's
 * `llm.provider` (`google`, `aws`, `azure`) and deprecated `gen_ai.system` values (DIALECTS.md §8.10).
 * When no producer key is present, the server address and then the model name decide.
 *
 * @module
 */

import { GEN_AI_PROVIDER_NAME, GEN_AI_SYSTEM, SERVER_ADDRESS } from '@costline/semconv';
import type { AttrMap } from '../otlp/span.ts';
import { attrString } from './attributes.ts';

/** Lower-cased spelling → semconv `gen_ai.provider.name`. Names not listed are kept as they are. */
const SPELLINGS: Readonly<Record<string, string>> = {
  azure: 'azure.ai.openai',
  'az.ai.openai': 'azure.ai.openai',
  'az.ai.inference': 'azure.ai.inference',
  aws: 'aws.bedrock',
  bedrock: 'aws.bedrock',
  'amazon-bedrock': 'aws.bedrock',
  amazon: 'aws.bedrock',
  google: 'gcp.gen_ai',
  gemini: 'gcp.gemini',
  'google.generative-ai': 'gcp.gemini',
  vertex_ai: 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  'google.vertex': 'gcp.vertex_ai',
  xai: 'x_ai',
  mistral: 'mistral_ai',
  mistralai: 'mistral_ai',
  moonshot: 'moonshot_ai',
};

/** AI SDK provider ids are `{provider}.{api}`: `openai.chat`, `openai.responses`, `anthropic.messages`. */
const AI_SDK_API_SUFFIX = /\.(chat|responses|completion|embedding|messages|image|transcription|speech)$/;

export function normaliseProviderName(raw: string): string {
  let name = raw.trim().toLowerCase();
  name = name.replace(AI_SDK_API_SUFFIX, '');
  if (name.startsWith('azure') && name.includes('openai')) return 'azure.ai.openai';
  return SPELLINGS[name] ?? name;
}

const HOSTS: readonly (readonly [RegExp, string])[] = [
  [/(^|\.)openai\.azure\.com$/, 'azure.ai.openai'],
  [/(^|\.)api\.openai\.com$/, 'openai'],
  [/(^|\.)api\.anthropic\.com$/, 'anthropic'],
  [/^bedrock-runtime\./, 'aws.bedrock'],
  [/(^|\.)generativelanguage\.googleapis\.com$/, 'gcp.gemini'],
  [/(^|\.)aiplatform\.googleapis\.com$/, 'gcp.vertex_ai'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
];

const MODEL_PREFIXES: readonly (readonly [RegExp, string])[] = [
  [/^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage)/, 'openai'],
  [/^claude-/, 'anthropic'],
  [/^gemini-/, 'gcp.gemini'],
  [/^(anthropic|amazon|meta|cohere|mistral|ai21)\.|^(us|eu|apac)\.(anthropic|amazon|meta)\./, 'aws.bedrock'],
];

/**
 * The semconv provider name for a span. `extraKeys` are the dialect's own provider attributes
 * (e.g. `ai.model.provider`, `llm.provider`), read before the semconv ones.
 */
export function providerOf(attrs: AttrMap, model: string, extraKeys: readonly string[] = []): string {
  const raw = attrString(
    attrs,
    ...extraKeys,
    GEN_AI_PROVIDER_NAME,
    GEN_AI_SYSTEM,
    'llm.provider',
    'llm.system',
  );
  if (raw !== undefined) return normaliseProviderName(raw);
  const host = attrString(attrs, SERVER_ADDRESS)?.toLowerCase();
  if (host) for (const [re, name] of HOSTS) if (re.test(host)) return name;
  const m = model.toLowerCase();
  for (const [re, name] of MODEL_PREFIXES) if (re.test(m)) return name;
  return '';
}
