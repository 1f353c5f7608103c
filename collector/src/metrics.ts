/**
 * The collector's counters and gauges, rendered as Prometheus text on `GET /metrics`.
 *
 * @module
 */

export interface Metrics {
  inc(name: string, by?: number, labels?: Record<string, string>): void;
  /** A value read at render time; `counter` for monotonic counts kept elsewhere. */
  gauge(name: string, read: () => number, type?: 'gauge' | 'counter', labels?: Record<string, string>): void;
  observe(name: string, value: number): void;
  render(): string;
  get(name: string, labels?: Record<string, string>): number;
}

/** Seconds the ingest thread spent, by stage (the stages: stage-clock.ts). */
export const INGEST_SECONDS = 'costline_ingest_seconds_total';

const HELP: Record<string, string> = {
  [INGEST_SECONDS]: 'Seconds the ingest thread spent, by stage (decode, normalise, price, assemble, encode).',
  costline_spans_received_total: 'Spans decoded from OTLP requests.',
  costline_spans_rejected_total: 'Spans rejected as malformed (reported in partial_success).',
  costline_spans_duplicate_total: 'Spans dropped because the same (trace_id, span_id) was already received.',
  costline_model_calls_total: 'Model-call spans recognised.',
  costline_model_calls_priced_total: 'Model calls priced.',
  costline_model_calls_unpriced_total: 'Model calls whose model has no price (stored with priced = false).',
  costline_actions_total: 'Action spans received.',
  costline_requests_total: 'OTLP export requests by HTTP status.',
  costline_insert_rows_total: 'Rows inserted into ClickHouse by table.',
  costline_insert_errors_total: 'Failed ClickHouse inserts (retried).',
  costline_requests_refused_total: 'OTLP requests refused with 429/503 (queue full or store down).',
  costline_outcome_corrections_total: 'Outcome changes corrected in the store (cancel + new fact rows).',
  costline_late_outcomes_unmatched_total: 'Late outcomes for an action the store does not hold.',
  costline_open_actions: 'Actions whose calls are waiting for their action span or root.',
  costline_waiting_calls: 'Calls held while their action assembles.',
  costline_held_bytes: 'Estimated bytes the assembler holds (bounded by the configured maximum).',
  costline_expired_actions_total: 'Actions written with outcome unknown because their wait expired.',
  costline_evicted_actions_total:
    'Actions written with outcome unknown because the open-action bound was reached.',
  costline_late_calls_total: 'Calls that arrived after their action was written (delta rows appended).',
  costline_late_outcomes_total: 'Late outcome spans received.',
  costline_orphan_calls_total: 'Calls whose parent span never arrived, kept as their own action.',
  costline_queue_depth: 'Rows waiting for insert or being inserted.',
  costline_event_loop_busy_seconds_total: 'Seconds the ingest thread (the event loop) was busy in all.',
};

function key(name: string, labels?: Record<string, string>): string {
  if (!labels || Object.keys(labels).length === 0) return name;
  const parts = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `${name}{${parts.join(',')}}`;
}

export function createMetrics(): Metrics {
  const counters = new Map<string, { name: string; value: number }>();
  const gauges = new Map<string, { name: string; read: () => number; type: string }>();
  const summaries = new Map<string, { count: number; sum: number; max: number }>();
  return {
    inc(name, by = 1, labels) {
      const k = key(name, labels);
      const c = counters.get(k);
      if (c !== undefined) c.value += by;
      else counters.set(k, { name, value: by });
    },
    gauge(name, read, type = 'gauge', labels) {
      gauges.set(key(name, labels), { name, read, type });
    },
    observe(name, value) {
      const s = summaries.get(name) ?? { count: 0, sum: 0, max: 0 };
      s.count++;
      s.sum += value;
      s.max = Math.max(s.max, value);
      summaries.set(name, s);
    },
    get(name, labels) {
      return counters.get(key(name, labels))?.value ?? 0;
    },
    render() {
      const lines: string[] = [];
      const typed = new Set<string>();
      for (const [k, c] of [...counters].sort(([a], [b]) => a.localeCompare(b))) {
        if (!typed.has(c.name)) {
          typed.add(c.name);
          if (HELP[c.name]) lines.push(`# HELP ${c.name} ${HELP[c.name]}`);
          lines.push(`# TYPE ${c.name} counter`);
        }
        lines.push(`${k} ${c.value}`);
      }
      for (const [k, g] of gauges) {
        if (!typed.has(g.name)) {
          typed.add(g.name);
          if (HELP[g.name]) lines.push(`# HELP ${g.name} ${HELP[g.name]}`);
          lines.push(`# TYPE ${g.name} ${g.type}`);
        }
        lines.push(`${k} ${g.read()}`);
      }
      for (const [name, s] of summaries) {
        lines.push(
          `# TYPE ${name} summary`,
          `${name}_count ${s.count}`,
          `${name}_sum ${s.sum}`,
          `${name}_max ${s.max}`,
        );
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
