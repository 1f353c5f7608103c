import { describe, expect, it } from 'vitest';
import { picoToUsd, sumUsd, toScale12, usdToPico } from '../src/store/money.ts';

describe('exact money', () => {
  it('writes any amount with 12 decimals exactly as the bigint round trip does', () => {
    const amounts = [
      '0',
      '-0',
      '-0.000',
      '1',
      '12',
      '0.5',
      '-0.5',
      '0.000000000001',
      '-0.000000000001',
      '0.000150000000',
      '123456.123456789012',
      '0.1000000000000', // 13 decimals, the last a zero
      ' 2.5 ',
      '00.25',
      '999999.999999999999',
    ];
    for (let i = 0; i < 2000; i++) {
      const digits = String(Math.floor(Math.random() * 1e9));
      const scale = Math.floor(Math.random() * 13);
      const int = digits.slice(0, Math.max(1, digits.length - scale)) || '0';
      const frac = digits.slice(int.length).padStart(scale, '0');
      amounts.push(`${i % 3 === 0 ? '-' : ''}${int}${scale > 0 ? `.${frac}` : ''}`);
    }
    for (const a of amounts) expect(toScale12(a), a).toBe(picoToUsd(usdToPico(a)));
  });

  it('reads amounts of exactly 12 decimals (as the store writes them) as their digits', () => {
    expect(usdToPico('-0.000000000001')).toBe(-1n);
    expect(usdToPico('12.000000000005')).toBe(12_000_000_000_005n);
    expect(usdToPico('0.100000000000')).toBe(100_000_000_000n);
    expect(usdToPico('0.1')).toBe(100_000_000_000n);
    expect(usdToPico('-3')).toBe(-3_000_000_000_000n);
  });

  it('refuses what is not an amount, or has more decimals than the columns hold', () => {
    expect(() => toScale12('1e-7')).toThrow(/not a decimal amount/);
    expect(() => toScale12('0.0000000000001')).toThrow(/more than 12 decimals/);
    expect(sumUsd(['0.1', '0.2', '-0.3'])).toBe('0.000000000000');
  });
});
