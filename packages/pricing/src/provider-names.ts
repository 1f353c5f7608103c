/**
 * Provider names as producers write them (OTel `gen_ai.provider.name`, the deprecated `gen_ai.system`
 * values, OpenInference `llm.provider`, router names) mapped to genai-prices provider ids.
 *
 * @module
 */

/** Producer spelling → genai-prices provider id. Names not listed are looked up in genai-prices as they are. */
const PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.inference': 'azure',
  azure: 'azure',
  azure_openai: 'azure',
  anthropic: 'anthropic',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  gemini: 'google',
  vertex_ai: 'google',
  vertexai: 'google',
  google: 'google',
  'aws.bedrock': 'aws',
  bedrock: 'aws',
  aws: 'aws',
  x_ai: 'x-ai',
  xai: 'x-ai',
  'x-ai': 'x-ai',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  mistral: 'mistral',
  moonshot_ai: 'moonshotai',
  moonshot: 'moonshotai',
  moonshotai: 'moonshotai',
  deepseek: 'deepseek',
  groq: 'groq',
  cohere: 'cohere',
  perplexity: 'perplexity',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  together: 'together',
  together_ai: 'together',
  cerebras: 'cerebras',
  // Vercel AI SDK provider ids (`ai.model.provider`, and `gen_ai.system` on its child spans).
  'amazon-bedrock': 'aws',
  'google.generative-ai': 'google',
  'google.vertex': 'google',
  'azure-openai': 'azure',
};

/** AI SDK ids name the vendor and the API (`openai.chat`, `anthropic.messages`): the vendor part decides. */
function vendorOfDotted(name: string): string | undefined {
  const dot = name.indexOf('.');
  if (dot <= 0) return undefined;
  return PROVIDER_IDS[name.slice(0, dot)];
}

/**
 * Routers put the upstream vendor in the model name (`openai/gpt-4o-mini`) and bill the vendor's
 * list price; the model is priced at that vendor.
 */
const ROUTERS: ReadonlySet<string> = new Set([
  'openrouter',
  'litellm',
  'vercel',
  'vercel_ai_gateway',
  'ai_gateway',
  'portkey',
  'helicone',
  'requesty',
]);

/** Vendor prefixes used by routers (`meta-llama/…` has no vendor entry in genai-prices and stays with the router). */
const VENDOR_PREFIXES: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  gemini: 'google',
  'x-ai': 'x-ai',
  xai: 'x-ai',
  mistralai: 'mistral',
  mistral: 'mistral',
  deepseek: 'deepseek',
  moonshotai: 'moonshotai',
  cohere: 'cohere',
  perplexity: 'perplexity',
};

export function canonicalProviderName(provider: string): string {
  return provider.trim().toLowerCase();
}

/** The genai-prices provider id for a producer's provider name. */
export function genaiPricesProviderId(provider: string): string {
  const name = canonicalProviderName(provider);
  return PROVIDER_IDS[name] ?? vendorOfDotted(name) ?? name;
}

export function isRouter(provider: string): boolean {
  return ROUTERS.has(canonicalProviderName(provider));
}

/** For `openai/gpt-4o-mini`: `{ providerId: 'openai', model: 'gpt-4o-mini' }`; undefined when the prefix is no known vendor. */
export function splitVendorPrefix(model: string): { providerId: string; model: string } | undefined {
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  const providerId = VENDOR_PREFIXES[model.slice(0, slash).toLowerCase()];
  return providerId === undefined ? undefined : { providerId, model: model.slice(slash + 1) };
}

/** Providers whose native usage object is Anthropic's (input excludes cache) when the fields alone cannot tell. */
export function usesAnthropicShape(provider: string): boolean {
  const id = genaiPricesProviderId(provider);
  return id === 'anthropic';
}
