import { describe, expect, it } from 'vitest';
import { createStageClock } from '../src/stage-clock.ts';

describe('stage clock', () => {
  it('charges a stage entered inside another to itself alone', () => {
    let t = 0;
    const clock = createStageClock(() => t);
    clock.enter('assemble');
    t = 10;
    const outer = clock.enter('encode'); // the writer, called while assembling
    t = 14;
    clock.enter(outer);
    t = 20;
    clock.enter(undefined);
    t = 100; // nothing runs: charged to no stage
    clock.enter('decode');
    t = 103;
    clock.enter(undefined);
    expect(clock.seconds('assemble')).toBeCloseTo(0.016);
    expect(clock.seconds('encode')).toBeCloseTo(0.004);
    expect(clock.seconds('decode')).toBeCloseTo(0.003);
    expect(clock.seconds('price')).toBe(0);
  });
});
