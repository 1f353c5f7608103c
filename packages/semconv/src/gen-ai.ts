/**
 * OpenTelemetry GenAI semantic-convention keys that Costline reads and writes.
 * Newest names first; the older spellings that producers still emit are listed beside them so the
 * collector can accept both. Everything here is a plain string: the wire contract has no code.
 *
 * @module
 */

export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Deprecated since semconv v1.37 in favour of `gen_ai.provider.name`; still emitted by many producers. */
export const GEN_AI_SYSTEM = 'gen_ai.system';
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
/** Seconds from request to the first streamed chunk. */
export const GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const GEN_AI_PROMPT_VERSION = 'gen_ai.prompt.version';
export const GEN_AI_AGENT_NAME = 'gen_ai.agent.name';

/** Total input, cache reads and writes included (semconv: SHOULD include cached tokens). */
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
/** Total output, reasoning included. */
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Newest name (semantic-conventions-genai #440). */
export const GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/** v1.40–v1.41 name of the cache-write count; accepted on input. */
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const GEN_AI_USAGE_AUDIO_INPUT_TOKENS = 'gen_ai.usage.audio.input_tokens';
export const GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS = 'gen_ai.usage.audio.output_tokens';

/** Provider-specific keys, as the Anthropic SDK's own spans name them. */
export const ANTHROPIC_USAGE_CACHE_WRITE_5M = 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens';
export const ANTHROPIC_USAGE_CACHE_WRITE_1H = 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens';
export const ANTHROPIC_USAGE_SERVICE_TIER = 'anthropic.usage.service_tier';
/** The service tier as the Anthropic SDK's own spans (≥0.134) name it. */
export const ANTHROPIC_RESPONSE_SERVICE_TIER = 'anthropic.response.service_tier';
export const OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
export const OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';

export const ERROR_TYPE = 'error.type';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const SERVER_ADDRESS = 'server.address';

/** Well-known `gen_ai.operation.name` values that are billed model calls. */
export const GEN_AI_OPERATIONS_BILLED = [
  'chat',
  'text_completion',
  'generate_content',
  'embeddings',
] as const;
export type GenAiBilledOperation = (typeof GEN_AI_OPERATIONS_BILLED)[number];

/** `gen_ai.provider.name` values used by Costline's own instrumentation. */
export const GEN_AI_PROVIDER = {
  openai: 'openai',
  anthropic: 'anthropic',
  azureOpenai: 'azure.ai.openai',
  gcpGemini: 'gcp.gemini',
  gcpVertexAi: 'gcp.vertex_ai',
  awsBedrock: 'aws.bedrock',
} as const;
