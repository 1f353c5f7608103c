/**
 * `@costline/pricing`: usage normalisation, price resolution and exact cost breakdowns for LLM calls.
 *
 * @module
 */

export { normaliseProviderUsage, detectUsageShape } from './normalise-provider-usage.ts';
export type { UsageShape } from './normalise-provider-usage.ts';
export { normaliseGenAiAttributes } from './genai-attributes.ts';
export { BLOCKING_FLAG_PREFIXES, isBlockingFlag } from './usage.ts';
export type { Usage, NormalisedUsage } from './usage.ts';
export { createPricer } from './pricer.ts';
export type { PriceRequest, Pricer, PricerOptions } from './pricer.ts';
export type { BucketCost, PriceBreakdown } from './breakdown.ts';
export { priceJson } from './price-json.ts';
export type { PriceJsonOutput, PriceJsonBucket } from './price-json.ts';
export { parsePriceBook, emptyPriceBook, PRICE_KEYS } from './price-book-parse.ts';
export type { PriceBook, BookModel, BookAlias, BookAdjustment } from './price-book-parse.ts';
export { loadPriceBook } from './price-book-file.ts';
export { PRICE_BOOK_SOURCE } from './price-book.ts';
export { importLitellm } from './litellm-import.ts';
export type { LitellmImport } from './litellm-import.ts';
export { regionalUplift } from './regional-uplift.ts';
export { UsageError, PriceInputError, PriceBookError } from './errors.ts';
export type { UsageErrorCode, PriceInputErrorCode, PriceBookErrorCode } from './errors.ts';
export { GENAI_PRICES_SOURCE, GENAI_PRICES_VERSION } from './price-table.ts';
export { OVERRIDES_SOURCE, OVERRIDES_VERSION } from './overrides.ts';
export { MONEY_DECIMAL_PLACES } from './money.ts';
