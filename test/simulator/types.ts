/**
 * Public types of the provider simulator: options, fault settings, stats, and the neutral response
 * shape the provider handlers return to the HTTP layer.
 *
 * @module
 */

/** The routes the simulator serves. `not_found` counts requests to any other path. */
export type SimRoute =
  | 'openai.chat.completions'
  | 'openai.responses'
  | 'openai.embeddings'
  | 'anthropic.messages'
  | 'anthropic.count_tokens'
  | 'gemini.generate_content'
  | 'gemini.stream_generate_content'
  | 'gemini.embed_content'
  | 'bedrock.converse'
  | 'bedrock.converse_stream'
  | 'not_found';

/** Whose wire format (errors, headers) a response uses. Vertex AI shares Gemini's. */
export type SimProvider = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

/** HTTP statuses the simulator can inject, each with the body its provider sends for it. */
export type FaultStatus = 400 | 401 | 429 | 500 | 503 | 529;

export interface FaultSettings {
  /** Answer every n-th API request (counted from the `setFaults` call) with 429. */
  rateLimitEvery?: number;
  /** Answer every n-th API request (counted from the `setFaults` call) with 500. */
  serverErrorEvery?: number;
  /** Answer the next `count` API requests with `status`. Checked before the `…Every` rules. */
  failNext?: { status: FaultStatus; count: number };
}

export interface SimulatorOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Delay before the response headers (time to first byte), in ms. @default 0 */
  latencyMs?: number;
  /** Delay per generated output token: between stream events, and added once to JSON responses. @default 0 */
  tokenDelayMs?: number;
  /**
   * Sent as `retry-after-ms` (and `retry-after`, rounded up to whole seconds) on retryable errors, so
   * the SDKs' automatic retries are fast. `null` omits both headers (the SDKs then back off ~0.5–8 s).
   * @default 10
   */
  retryAfterMs?: number | null;
  /** Faults active from the start; replace them later with `setFaults`. @default {} */
  faults?: FaultSettings;
  /** Clock for prompt-cache expiry, in ms. @default Date.now */
  now?: () => number;
  /** How long an OpenAI cached prefix lives after its last use, in ms. @default 600_000 (10 min) */
  openaiCacheTtlMs?: number;
  /** Keep at most this many request records in `stats().requests`. @default 1000 */
  maxRequestRecords?: number;
}

export interface RequestRecord {
  route: SimRoute;
  status: number;
  /** The model as requested, when the body named one. */
  model?: string;
  /** The request asked for a stream (`stream: true`). */
  stream: boolean;
  /** `x-stainless-retry-count` sent by the official SDKs: 0 on the first attempt. */
  retryCount: number;
  /** Why the simulator failed the request on purpose, e.g. `header:429`, `failNext:500`, `rateLimitEvery:429`. */
  fault?: string;
  /** The response's `x-request-id` (OpenAI) or `request-id` (Anthropic), as the SDKs report it. */
  requestId?: string;
  /** The usage the provider billed: the response's usage object, also for streams that did not report it. */
  usage?: unknown;
}

export interface RouteStats {
  total: number;
  /** Count per HTTP status, keyed by the status as a string (`'200'`, `'429'`). */
  byStatus: Record<string, number>;
}

export interface SimulatorStats {
  total: number;
  byRoute: Partial<Record<SimRoute, RouteStats>>;
  /** The most recent requests, oldest first. */
  requests: RequestRecord[];
}

export interface ProviderSimulator {
  /** Listens and resolves with the base URL (`http://127.0.0.1:PORT`). */
  start(): Promise<{ url: string; port: number }>;
  /** Closes the server and every open connection. Safe to call twice. */
  stop(): Promise<void>;
  stats(): SimulatorStats;
  /** Replaces the fault settings (pass `{}` to clear) and restarts their request counter. */
  setFaults(faults: FaultSettings): void;
  /** Clears prompt caches, stats and faults. */
  reset(): void;
  /** The base URL; throws before `start()`. */
  readonly url: string;
}

/** One server-sent event. `tokens` is how many output tokens it carries, to pace the stream. */
export interface SseEvent {
  event?: string;
  data: string;
  tokens: number;
}

/** What a provider handler returns; the HTTP layer writes it, paced and faulted as configured. */
export type SimResponse =
  | {
      kind: 'json';
      status: number;
      headers: Record<string, string>;
      body: unknown;
      tokens: number;
      usage?: unknown;
    }
  | { kind: 'sse'; status: number; headers: Record<string, string>; events: SseEvent[]; usage?: unknown }
  | {
      /** Binary frames (AWS event-stream messages), written one by one with `content-type`. */
      kind: 'frames';
      status: number;
      headers: Record<string, string>;
      contentType: string;
      frames: BinaryFrame[];
      usage?: unknown;
    };

/** One binary frame of a `frames` response. `tokens` paces it like an SSE event. */
export interface BinaryFrame {
  bytes: Uint8Array;
  tokens: number;
}
