/**
 * Cost attributes the collector adds to the spans it forwards downstream (`costline.cost.*`).
 *
 * @module
 */

/**
 * Cost attributes the collector adds to model-call spans it forwards downstream
 * (`COSTLINE_FORWARD_ENDPOINT`): exact decimal strings in USD, never floats.
 */
export const COSTLINE_COST_USD = 'costline.cost.usd';
export const COSTLINE_COST_INPUT_USD = 'costline.cost.input_usd';
export const COSTLINE_COST_CACHE_READ_USD = 'costline.cost.cache_read_usd';
export const COSTLINE_COST_CACHE_WRITE_USD = 'costline.cost.cache_write_usd';
export const COSTLINE_COST_OUTPUT_USD = 'costline.cost.output_usd';
export const COSTLINE_COST_OTHER_USD = 'costline.cost.other_usd';
/** False when the model has no price (the cost attributes are then absent, never a silent 0). */
export const COSTLINE_COST_PRICED = 'costline.cost.priced';
/** Where the price came from (`genai-prices`, a price book) and its version. */
export const COSTLINE_COST_SOURCE = 'costline.cost.source';
export const COSTLINE_COST_VERSION = 'costline.cost.version';
