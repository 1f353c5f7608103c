/**
 * What a benchmark suite reports: named values with units. Names are stable (`area.what[.detail]`),
 * so runs can be compared over time; ratios are measured side by side in one run, never against a
 * number remembered from another machine.
 *
 * @module
 */

export interface Metric {
  /** Stable dotted name, e.g. `collector.e2e.spans_per_s`. */
  readonly name: string;
  readonly value: number;
  /** e.g. `spans/s`, `ms`, `us`, `ratio`, `bytes`. */
  readonly unit: string;
  /** One line a reader of the table needs (what was measured, against what). */
  readonly note?: string;
}

export interface SuiteOptions {
  /** `--full`: the long runs (minutes each) instead of the short default. */
  readonly full: boolean;
  /** Progress lines go here (stderr), never to stdout, which carries the results. */
  readonly log: (line: string) => void;
}

/** One benchmark suite: a file under `suites/` whose default export is this. */
export interface Suite {
  /** Short name used by `pnpm bench -- --only <name>`. */
  readonly name: string;
  run(options: SuiteOptions): Promise<Metric[]>;
}
