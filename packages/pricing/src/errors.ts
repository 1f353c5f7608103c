/**
 * Errors thrown by `@costline/pricing`. Expected outcomes (an unknown model, a negative bucket) are
 * values on the breakdown, not exceptions; these are for input that cannot be read at all.
 *
 * @module
 */

export type UsageErrorCode = 'invalid_usage_value' | 'invalid_usage_shape';

/**
 * A usage object or attribute map that cannot be read: a count that is not a non-negative integer, or
 * no known shape. The message starts with the field path: `usage.prompt_tokens must be a non-negative integer, got 1.5`.
 */
export class UsageError extends Error {
  readonly code: UsageErrorCode;
  /** Path of the field at fault, e.g. `usage.prompt_tokens_details.cached_tokens` or `gen_ai.usage.input_tokens`. */
  readonly field: string;
  /** The message without the field, e.g. `must be a non-negative integer, got 1.5`. */
  readonly problem: string;

  constructor(code: UsageErrorCode, field: string, problem: string, options?: ErrorOptions) {
    super(`${field} ${problem}`, options);
    this.name = 'UsageError';
    this.code = code;
    this.field = field;
    this.problem = problem;
  }
}

export type PriceInputErrorCode = 'missing_field' | 'invalid_field' | 'unknown_field' | 'invalid_usage';

/** Bad input to {@link priceJson}; the message starts with the field it is about (`time: …`). */
export class PriceInputError extends Error {
  readonly code: PriceInputErrorCode;
  /** The input field at fault, e.g. `time` or `usage.prompt_tokens`. */
  readonly field: string;

  constructor(code: PriceInputErrorCode, field: string, problem: string, options?: ErrorOptions) {
    super(`${field}: ${problem}`, options);
    this.name = 'PriceInputError';
    this.code = code;
    this.field = field;
  }
}

export type PriceBookErrorCode = 'invalid_price_book' | 'unreadable_price_book';

/**
 * A price book that cannot be used. The message names the file, the line and the field:
 * `price book prices.yaml line 12, models[1].input_mtok: must be a non-negative decimal, got "abc"`.
 */
export class PriceBookError extends Error {
  readonly code: PriceBookErrorCode;
  readonly file: string;
  readonly line: number;
  /** Path of the field at fault, e.g. `models[1].input_mtok`. */
  readonly field: string;

  constructor(
    code: PriceBookErrorCode,
    file: string,
    line: number,
    field: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`price book ${file} line ${line}, ${field}: ${problem}`, options);
    this.name = 'PriceBookError';
    this.code = code;
    this.file = file;
    this.line = line;
    this.field = field;
  }
}
