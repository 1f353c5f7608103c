/**
 * The provider simulator: a local OpenAI Chat Completions + Anthropic Messages server for end-to-end
 * tests and the demo. See `README.md` for the `x-sim-*` request headers.
 *
 * @module
 */
export { createProviderSimulator } from './create-simulator.ts';
export { FAULT_ATTEMPTS_HEADER, FAULT_HEADER } from './faults.ts';
export { USAGE_HEADER } from './usage-override.ts';
export type { AnthropicUsage } from './anthropic-messages.ts';
export type { OpenAIChatUsage } from './openai-chat.ts';
export type {
  FaultSettings,
  FaultStatus,
  ProviderSimulator,
  RequestRecord,
  RouteStats,
  SimProvider,
  SimRoute,
  SimulatorOptions,
  SimulatorStats,
} from './types.ts';
