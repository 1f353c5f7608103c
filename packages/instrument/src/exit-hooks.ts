/**
 * Flushes spans when the process ends, without changing how it ends.
 *
 * - `beforeExit` (the event loop ran dry): flush. Flushing only (not shutting down) keeps the SDK
 *   usable if the application schedules more work from its own `beforeExit` handler; once the
 *   flush's export is done the loop runs dry again, and with nothing left to export the process exits.
 * - `SIGTERM` / `SIGINT`: listening to a signal removes Node's default (die by the signal), so the
 *   handler restores it. When Costline's is the only listener, it shuts the SDK down (bounded by a
 *   timeout), removes itself and re-raises the signal: the process dies by the signal exactly as it
 *   would have, only later. When the application listens too, the application owns the signal:
 *   Costline only starts a flush and leaves the process alone. A second signal while flushing is
 *   re-raised at once.
 * - `process.exit()` runs no asynchronous work, so nothing can be flushed there: an application
 *   that calls it should `await shutdown()` first.
 *
 * @module
 */

import { diag } from '@opentelemetry/api';

export interface ExitHooks {
  remove(): void;
}

export interface ExitTargets {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  /** Upper bound on the wait for the flush on a signal. */
  readonly timeoutMillis: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export function installExitHooks(targets: ExitTargets): ExitHooks {
  let flushing: Promise<void> | undefined;
  const flush = (): Promise<void> => {
    flushing ??= targets
      .flush()
      .catch((error: unknown) => diag.warn('@costline/instrument: flush failed', error))
      .finally(() => {
        flushing = undefined;
      });
    return flushing;
  };

  const onBeforeExit = (): void => {
    void flush();
  };

  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    let pending = false;
    const handler = (): void => {
      const alone = process.listenerCount(signal) === 1;
      if (!alone) {
        void flush();
        return;
      }
      if (pending) return reraise(signal, handler);
      pending = true;
      void withTimeout(targets.shutdown(), targets.timeoutMillis).finally(() => reraise(signal, handler));
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  process.on('beforeExit', onBeforeExit);

  return {
    remove() {
      process.off('beforeExit', onBeforeExit);
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

function reraise(signal: NodeJS.Signals, handler: () => void): void {
  process.off(signal, handler);
  // Someone may have started listening while we flushed: then the signal is theirs to handle.
  process.kill(process.pid, signal);
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    work
      .catch((error: unknown) => diag.warn('@costline/instrument: shutdown failed', error))
      .finally(() => {
        clearTimeout(timer);
        resolve();
      });
  });
}
