/**
 * Recognition cost per model-call span, by producer dialect, against our own instrument's spans in
 * the same run: `classifySpan` + `readModelCall` (dialect detection, usage in the dialect's keys,
 * provider mapping, JSON attributes where the producer uses them). Plus the leaf resolver's cost per
 * call. The attribute sets are the ones recorded from the peer apps (test/peers, `PEER_DUMP`).
 *
 * @module
 */

import { classifySpan, createLeafResolver, readModelCall } from '@costline/collector';
import type { AttrMap, DecodedSpan, LlmCallRow } from '@costline/collector';
import type { Metric, Suite } from '../metric.ts';

function span(name: string, scopeName: string, scopeVersion: string, attributes: AttrMap): DecodedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: 'c'.repeat(16),
    name,
    kind: 3,
    startTimeUnixNano: 1_763_208_000_000_000_000n,
    endTimeUnixNano: 1_763_208_000_500_000_000n,
    attributes,
    events: [],
    statusCode: 0,
    statusMessage: '',
    scopeName,
    scopeVersion,
    resource: { 'service.name': 'bench' },
  };
}

const SPANS: Record<string, DecodedSpan> = {
  costline: span('chat gpt-4o', '@costline/instrument', '0.0.0', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 17903,
    'gen_ai.usage.cache_read.input_tokens': 17817,
    'gen_ai.usage.output_tokens': 250,
    'costline.surface': 'support-answer',
  }),
  traceloop: span('chat claude-3-5-sonnet-20241022', '@traceloop/instrumentation-anthropic', '0.27.0', {
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
    'gen_ai.usage.total_tokens': 500,
    'gen_ai.usage.output_tokens': 300,
    'gen_ai.usage.input_tokens': 200,
    'gen_ai.usage.cache_creation.input_tokens': 1000,
    'gen_ai.usage.cache_read.input_tokens': 5000,
  }),
  'ai-sdk': span('ai.generateText.doGenerate', 'ai', '', {
    'ai.operationId': 'ai.generateText.doGenerate',
    'ai.model.provider': 'anthropic.messages',
    'ai.model.id': 'claude-3-5-sonnet-20241022',
    'gen_ai.system': 'anthropic.messages',
    'ai.response.providerMetadata':
      '{"anthropic":{"usage":{"input_tokens":200,"output_tokens":300,"cache_creation_input_tokens":1000,"cache_read_input_tokens":5000},"cacheCreationInputTokens":1000,"stopSequence":null}}',
    'ai.usage.promptTokens': 200,
    'ai.usage.completionTokens': 300,
  }),
  openinference: span('OpenAI Chat Completions', '@arizeai/openinference-instrumentation-openai', '4.2.7', {
    'openinference.span.kind': 'LLM',
    'llm.model_name': 'gpt-4o-2024-08-06',
    'llm.invocation_parameters': '{"model":"gpt-4o-2024-08-06"}',
    'llm.system': 'openai',
    'llm.token_count.completion': 250,
    'llm.token_count.prompt': 17903,
    'llm.token_count.total': 18153,
    'llm.token_count.prompt_details.cache_read': 17817,
  }),
  langfuse: span('OpenAI.chat', 'langfuse-sdk', '5.11.1', {
    'langfuse.observation.type': 'generation',
    'langfuse.observation.model.name': 'gpt-4o-2024-08-06',
    'langfuse.observation.model.parameters': '{"response_format":""}',
    'langfuse.observation.usage_details':
      '{"input":86,"output":250,"total":18153,"input_cached_tokens":17817}',
  }),
};

function nsPerSpan(s: DecodedSpan, n: number): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (classifySpan(s) === 'model_call') readModelCall(s);
  }
  return Number(process.hrtime.bigint() - t) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const suite: Suite = {
  name: 'recognise',
  async run({ full }) {
    const n = full ? 200_000 : 20_000;
    const samples = new Map<string, number[]>(Object.keys(SPANS).map((k) => [k, []]));
    for (let round = 0; round < 5; round++) {
      for (const [dialect, s] of Object.entries(SPANS)) samples.get(dialect)?.push(nsPerSpan(s, n));
    }
    const base = median(samples.get('costline') ?? []);
    const metrics: Metric[] = [
      {
        name: 'recognise.costline.per_span_us',
        value: base / 1000,
        unit: 'us',
        note: 'classify + readModelCall, our own span',
      },
    ];
    for (const dialect of Object.keys(SPANS)) {
      if (dialect === 'costline') continue;
      metrics.push({
        name: `recognise.${dialect}.vs_costline`,
        value: median(samples.get(dialect) ?? []) / base,
        unit: 'ratio',
        note: `${dialect} span vs our own, same run`,
      });
    }
    let emitted = 0;
    const resolver = createLeafResolver({ emit: () => emitted++ });
    const rows: LlmCallRow[] = [];
    for (let i = 0; i < n; i++) {
      const id = i.toString(16).padStart(16, '0');
      rows.push({ trace_id: 'a'.repeat(32), span_id: id, parent_span_id: 'f'.repeat(16) } as LlmCallRow);
    }
    const t = process.hrtime.bigint();
    for (const r of rows) resolver.offer(r, SPANS['costline'] as DecodedSpan, false);
    const leafNs = Number(process.hrtime.bigint() - t) / n;
    await Promise.resolve();
    metrics.push({
      name: 'recognise.leaf_resolver.per_call_us',
      value: leafNs / 1000,
      unit: 'us',
      note: `${emitted} calls offered, none held`,
    });
    return metrics;
  },
};

export default suite;
