export { createCollector } from './collector.ts';
export type { Collector, CollectorConfig } from './collector.ts';
export { createApp } from './app/create-app.ts';
export type { AppDeps } from './app/create-app.ts';
export { createStoreClient } from './store/client.ts';
export type { StoreConfig } from './store/client.ts';
export { migrate, readMigrations } from './store/migrate.ts';
export type { MigrateOptions, MigrationResult } from './store/migrate.ts';
export { renderMigration, splitStatements, DdlOptionsError } from './store/ddl.ts';
export type { DdlOptions } from './store/ddl.ts';
export { decodeProtobufTraces } from './otlp/decode-protobuf.ts';
export { decodeJsonTraces, parseJsonExact, OtlpJsonError } from './otlp/decode-json.ts';
export type { DecodedSpan, DecodedBatch, AttrMap, AttrValue } from './otlp/span.ts';
export { surfaceReport, divRoundHalfEven } from './report/surface-report.ts';
export type { SurfaceReport, ReportOptions } from './report/surface-report.ts';
export { renderReport } from './report/render.ts';
export { clientRunner, httpRunner } from './report/query-runner.ts';
export type { QueryRunner } from './report/query-runner.ts';
export { picoToUsd, usdToPico, sumUsd } from './store/money.ts';
export type { LlmCallRow, ActionRow } from './store/rows.ts';
export { createAssembler } from './assemble/assembler.ts';
export type { Assembler, AssemblerOptions, AssemblerStats } from './assemble/assembler-types.ts';
export { readSettings } from './cli/settings.ts';
export { SERVE_NODE_FLAGS } from './cli/node-flags.ts';
export type { Settings } from './cli/settings.ts';
export { createPipeline } from './pipeline.ts';
export type { Pipeline, PipelineOptions, IngestSummary } from './pipeline.ts';
export { createMetrics } from './metrics.ts';
export type { Metrics } from './metrics.ts';
export { createAvoidedCostEstimator } from './price/avoided-cost.ts';
export { encodeJsonTraces } from './otlp/encode-json.ts';
export {
  createWriter,
  insertSettings,
  batchToken,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BATCH_ROWS,
} from './store/writer.ts';
export type { Writer, WriterOptions } from './store/writer.ts';
export { DEFAULT_SURFACE_ATTRIBUTES } from './assemble/trace-nodes.ts';
export { callRowBytes } from './assemble/action-sources.ts';
export { cancelRow, factRow, liveRows } from './store/correction-rows.ts';
export { CALL_ADDITIVE, ACTION_ADDITIVE } from './store/rows.ts';
export type { RowSign } from './store/rows.ts';
export { reprice } from './price/reprice.ts';
export type { RepriceOptions, RepriceResult, RepriceModelSummary } from './price/reprice.ts';
export { unpricedModels } from './report/unpriced-models.ts';
export { classifySpan } from './recognise/classify.ts';
export type { SpanRole } from './recognise/classify.ts';
export { detectDialect } from './recognise/dialect.ts';
export type { Dialect, DialectName } from './recognise/dialect.ts';
export { readModelCall } from './recognise/model-call.ts';
export type { ModelCallFacts } from './recognise/model-call.ts';
export { createLeafResolver } from './recognise/leaf-resolver.ts';
export type { LeafResolver, LeafResolverOptions, LeafResolverStats } from './recognise/leaf-resolver.ts';
export { normaliseProviderName } from './recognise/provider.ts';
