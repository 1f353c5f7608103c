/**
 * Loads the price book named by `COSTLINE_PRICE_BOOK` (or `--price-book`): read once at start, never
 * re-fetched, so a running collector prices by the book it started with.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { PriceBookError } from './errors.ts';
import { parsePriceBook } from './price-book-parse.ts';
import type { PriceBook } from './price-book-parse.ts';

/** Reads and validates a price book file. Throws {@link PriceBookError} naming the file, line and field. */
export function loadPriceBook(path: string): PriceBook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PriceBookError('unreadable_price_book', path, 0, '(file)', (e as Error).message, { cause: e });
  }
  return parsePriceBook(text, path);
}
