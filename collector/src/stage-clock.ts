/**
 * Where the ingest thread's time goes, by stage, for `/metrics` and the benchmark's CPU split. One
 * stage runs at a time: entering a stage charges the time since the last switch to the stage that
 * was running, so a stage entered inside another (the writer encoding rows while the assembler
 * closes an action) is charged to itself alone, never twice.
 *
 * @module
 */

export const INGEST_STAGES = ['decode', 'normalise', 'price', 'assemble', 'encode'] as const;
export type IngestStage = (typeof INGEST_STAGES)[number];

export interface StageClock {
  /** Runs `stage` from now (`undefined`: none); returns the stage it replaced, to enter it again. */
  enter(stage: IngestStage | undefined): IngestStage | undefined;
  /** Seconds charged to `stage` so far. */
  seconds(stage: IngestStage): number;
}

export function createStageClock(now: () => number = () => performance.now()): StageClock {
  const ms: Record<IngestStage, number> = { decode: 0, normalise: 0, price: 0, assemble: 0, encode: 0 };
  let running: IngestStage | undefined;
  let since = 0;
  return {
    enter(stage) {
      const t = now();
      if (running !== undefined) ms[running] += t - since;
      const previous = running;
      running = stage;
      since = t;
      return previous;
    },
    seconds: (stage) => ms[stage] / 1000,
  };
}
