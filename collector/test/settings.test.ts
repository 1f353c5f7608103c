import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../src/cli/settings.ts';

describe('settings', () => {
  it('reads the assembly, TTL, cluster and forwarding settings, flags over the environment', () => {
    const s = readSettings(
      {
        COSTLINE_TTL_DAYS: '90',
        COSTLINE_AGG_TTL_DAYS: '400',
        COSTLINE_CLICKHOUSE_CLUSTER: 'main',
        COSTLINE_MAX_HELD_MB: '64',
        COSTLINE_SURFACE_ATTRIBUTES: 'app.feature, http.route',
        COSTLINE_FORWARD_ENDPOINT: 'http://otel:4318/v1/traces',
      },
      { 'max-open-actions': '500' },
    );
    expect(s).toMatchObject({
      ttlDays: 90,
      aggTtlDays: 400,
      cluster: 'main',
      maxOpenActions: 500,
      actionWaitMs: 60_000,
      maxHeldBytes: 64 * 1024 * 1024,
      surfaceAttributes: ['app.feature', 'http.route'],
      maxQueueRows: 200_000,
      forwardEndpoint: 'http://otel:4318/v1/traces',
    });
    expect(readSettings({}, {}).surfaceAttributes).toEqual([
      'costline.surface',
      'traceloop.workflow.name',
      'gen_ai.agent.name',
      'http.route',
    ]);
  });

  it('names the setting and the bad value', () => {
    expect(() => readSettings({ COSTLINE_TTL_DAYS: '-3' }, {})).toThrow(
      new SettingsError('COSTLINE_TTL_DAYS (--ttl-days) must be a whole number ≥ 0, got "-3"'),
    );
    expect(() => readSettings({}, { 'max-open-actions': '0' })).toThrow(
      'COSTLINE_MAX_OPEN_ACTIONS (--max-open-actions) must be a whole number ≥ 1, got "0"',
    );
    expect(() => readSettings({ COSTLINE_CLICKHOUSE_CLUSTER: 'a-b' }, {})).toThrow(
      'COSTLINE_CLICKHOUSE_CLUSTER (--cluster) must be a plain identifier, got "a-b"',
    );
    expect(() => readSettings({ COSTLINE_FORWARD_ENDPOINT: 'otel:4318' }, {})).toThrow(
      'COSTLINE_FORWARD_ENDPOINT (--forward-endpoint) must be an http(s) URL, got "otel:4318"',
    );
  });
});
