/**
 * A fault-injecting wrapper around a real `@clickhouse/client` connection (chDB here), for outage
 * tests: the store can be made unreachable (every operation fails as a refused connection would), or
 * made to apply an insert and then fail it as a timeout would (the case insert deduplication tokens
 * exist for), or slow; or the process using it can "die" (SIGKILL) right after an insert into one
 * table was stored: from then on nothing it asks ever answers, so nothing more of it reaches the
 * store, as if it were gone. Between faults it passes everything through untouched.
 *
 * @module
 */

type Op = (params: unknown) => Promise<unknown>;

/** The part of the client's `Connection` interface the wrapper intercepts (all of it). */
export interface ConnectionLike {
  ping(params: unknown): Promise<unknown>;
  query(params: unknown): Promise<unknown>;
  insert(params: unknown): Promise<unknown>;
  command(params: unknown): Promise<unknown>;
  exec(params: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export type Fault =
  | { kind: 'none' }
  /** Every operation fails at once, like ECONNREFUSED. */
  | { kind: 'down' }
  /** Inserts are applied, then fail as a timeout: the caller cannot know they were stored. */
  | { kind: 'insert-lost-ack' }
  /** Every operation waits this long first. */
  | { kind: 'slow'; ms: number }
  /** Nothing answers, ever (the process is dead): every operation stays pending. */
  | { kind: 'dead' }
  /**
   * The next insert into `table` (the table name, without database) is stored, then the process
   * dies before its answer: that insert and everything after it stay pending (the fault becomes
   * `dead`). A SIGKILL between two inserts.
   */
  | { kind: 'dead-after-insert'; table: string };

export interface FaultyConnection<C> {
  /** Pass this to `createClient({ connection })`. */
  connection: C;
  set(fault: Fault): void;
  /** Operations refused, failed or left pending by a fault so far, by operation. */
  failures(): Record<string, number>;
}

export class InjectedFault extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** True when the insert's statement writes into `table` (`INSERT INTO db.table …`). */
function insertsInto(params: unknown, table: string): boolean {
  const query = (params as { query?: unknown }).query;
  return typeof query === 'string' && new RegExp(`^\\s*INSERT INTO (\\w+\\.)?${table}\\b`, 'i').test(query);
}

export function faultyConnection<C extends ConnectionLike>(inner: C): FaultyConnection<C> {
  let fault: Fault = { kind: 'none' };
  const failed: Record<string, number> = {};
  const count = (op: string): void => {
    failed[op] = (failed[op] ?? 0) + 1;
  };
  const never = (op: string): Promise<never> => {
    count(op);
    return new Promise<never>(() => {});
  };
  const wrap = (op: 'ping' | 'query' | 'insert' | 'command' | 'exec'): Op => {
    const original: Op = (params) => inner[op](params);
    return async (params) => {
      const f = fault;
      if (f.kind === 'dead') return never(op);
      if (f.kind === 'dead-after-insert' && op === 'insert' && insertsInto(params, f.table)) {
        await original(params);
        fault = { kind: 'dead' };
        return never(op);
      }
      if (f.kind === 'down') {
        count(op);
        throw new InjectedFault(`connect ECONNREFUSED (injected: store down during ${op})`, 'ECONNREFUSED');
      }
      if (f.kind === 'slow') await new Promise((r) => setTimeout(r, f.ms));
      const result = await original(params);
      if (f.kind === 'insert-lost-ack' && op === 'insert') {
        count(op);
        throw new InjectedFault('Timeout error (injected: insert applied, answer lost)', 'ETIMEDOUT');
      }
      return result;
    };
  };
  const connection = Object.create(inner) as C;
  Object.assign(connection, {
    ping: wrap('ping'),
    query: wrap('query'),
    insert: wrap('insert'),
    command: wrap('command'),
    exec: wrap('exec'),
    close: () => inner.close(),
  });
  return {
    connection,
    set(next) {
      fault = next;
    },
    failures: () => ({ ...failed }),
  };
}
