/**
 * The Vercel AI SDK: v7 with `@ai-sdk/otel` (`OpenTelemetry`, scope `gen_ai`, and
 * `LegacyOpenTelemetry`, scope `ai`), and v4, v5, v6 with their built-in `experimental_telemetry`
 * (scope `ai`), each with the provider packages of its major.
 * Each scenario is one `generateText` / `streamText` call: a parent span (`invoke_agent` /
 * `ai.generateText`) that repeats the usage of its model-call child.
 *
 * @module
 */

import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { generateText, registerTelemetry, streamText } from 'ai';
import { createAnthropic as createAnthropicV1 } from 'ai-sdk-anthropic-v1';
import { createAnthropic as createAnthropicV2 } from 'ai-sdk-anthropic-v2';
import { createAnthropic as createAnthropicV3 } from 'ai-sdk-anthropic-v3';
import { createOpenAI as createOpenAIV1 } from 'ai-sdk-openai-v1';
import { createOpenAI as createOpenAIV2 } from 'ai-sdk-openai-v2';
import { createOpenAI as createOpenAIV3 } from 'ai-sdk-openai-v3';
import * as aiV4 from 'ai-v4';
import * as aiV5 from 'ai-v5';
import * as aiV6 from 'ai-v6';
import { simHeaders } from '../scenario.ts';
import type { Scenario } from '../scenario.ts';
import type { Producer } from './producer.ts';

const simUrl = (): string => process.env['SIM_URL'] ?? '';
const PROMPT = 'Summarise our refund policy.';

function v7(legacy: boolean): Producer {
  return () => {
    registerTelemetry(legacy ? new LegacyOpenTelemetry() : new OpenTelemetry());
    const openai = createOpenAI({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
    const anthropic = createAnthropic({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
    return async (s: Scenario) => {
      const model = s.provider === 'anthropic' ? anthropic(s.model) : openai.chat(s.model);
      const args = {
        model,
        prompt: PROMPT,
        headers: simHeaders(s),
        maxRetries: 0,
        telemetry: { functionId: s.id },
      };
      if (s.stream) {
        const r = streamText(args);
        await r.consumeStream();
        await r.text;
      } else {
        await generateText(args);
      }
    };
  };
}

export const aiV7: Producer = v7(false);
export const aiV7Legacy: Producer = v7(true);

export const aiV5Producer: Producer = () => {
  const openai = createOpenAIV2({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
  const anthropic = createAnthropicV2({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
  return async (s: Scenario) => {
    const model = s.provider === 'anthropic' ? anthropic(s.model) : openai.chat(s.model);
    const args = {
      model,
      prompt: PROMPT,
      headers: simHeaders(s),
      maxRetries: 0,
      experimental_telemetry: { isEnabled: true, functionId: s.id },
    };
    if (s.stream) {
      const r = aiV5.streamText(args);
      await r.consumeStream();
      await r.text;
    } else {
      await aiV5.generateText(args);
    }
  };
};

export const aiV6Producer: Producer = () => {
  const openai = createOpenAIV3({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
  const anthropic = createAnthropicV3({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
  return async (s: Scenario) => {
    const model = s.provider === 'anthropic' ? anthropic(s.model) : openai.chat(s.model);
    const args = {
      model,
      prompt: PROMPT,
      headers: simHeaders(s),
      maxRetries: 0,
      experimental_telemetry: { isEnabled: true, functionId: s.id },
    };
    if (s.stream) {
      const r = aiV6.streamText(args);
      await r.consumeStream();
      await r.text;
    } else {
      await aiV6.generateText(args);
    }
  };
};

export const aiV4Producer: Producer = () => {
  const openai = createOpenAIV1({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
  const anthropic = createAnthropicV1({ baseURL: `${simUrl()}/v1`, apiKey: 'test' });
  return async (s: Scenario) => {
    const model = s.provider === 'anthropic' ? anthropic(s.model) : openai.chat(s.model);
    const args = {
      model,
      prompt: PROMPT,
      headers: simHeaders(s),
      maxRetries: 0,
      experimental_telemetry: { isEnabled: true, functionId: s.id },
    };
    if (s.stream) {
      const r = aiV4.streamText({ ...args, onError: () => undefined });
      for await (const part of r.textStream) void part;
    } else {
      await aiV4.generateText(args);
    }
  };
};
