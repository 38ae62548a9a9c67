import { MailError, type Mailer } from '../deliver/mailer.ts';
import type { Log } from '../log.ts';

/**
 * Runs scheduled jobs for a long-lived process (node-cron): at most one run of each job at a
 * time, and a way to stop that lets the runs in flight finish.
 */
export function createJobRunner(log: Log) {
  const running = new Map<string, Promise<unknown>>();
  let stopped = false;
  return {
    /**
     * A tick function for `name`: starts the job unless its previous run is still going (cron
     * ticks do not wait for each other) or the runner is stopping. Errors are logged, not thrown.
     */
    exclusive(name: string, job: () => Promise<unknown>): () => Promise<void> {
      return async () => {
        if (stopped) return;
        if (running.has(name)) {
          log.debug(`jobs: ${name} still running, tick skipped`);
          return;
        }
        const run = job()
          .catch((e) => log.error(`jobs: ${name} failed`, { error: e }))
          .finally(() => running.delete(name));
        running.set(name, run);
        await run;
      };
    },
    /** Names of the jobs running now. */
    active(): string[] {
      return [...running.keys()];
    },
    /**
     * Starts no new run and waits up to `graceMs` for the runs in flight. Resolves with the
     * names of those still running when the grace period ended (none in a clean stop).
     */
    async stop(graceMs: number): Promise<string[]> {
      stopped = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      await Promise.race([Promise.allSettled([...running.values()]), timeout]);
      clearTimeout(timer);
      return [...running.keys()];
    },
  };
}

/** How long a message deferred by shutdown waits before another sender may take it. */
const SHUTDOWN_RETRY_MS = 30_000;

/**
 * Wraps a mailer so that a shutdown lets the message in flight finish, then refuses the rest
 * with a transient MailError: the send loop puts those rows back to 'pending' (releasing their
 * lease) instead of holding them until the lease expires. Each deferred row counts one attempt.
 */
export function stoppableMailer(mailer: Mailer): Mailer & { stop(): void } {
  let stopping = false;
  return {
    name: mailer.name,
    send(email) {
      if (stopping)
        return Promise.reject(
          new MailError('deliver: shutting down, message left for the next run', false, SHUTDOWN_RETRY_MS),
        );
      return mailer.send(email);
    },
    close: mailer.close ? () => mailer.close!() : undefined,
    stop() {
      stopping = true;
    },
  };
}
