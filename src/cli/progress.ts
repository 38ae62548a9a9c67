import type { Io } from './context.ts';

/**
 * A progress bar on stderr, redrawn in place on a terminal; silent otherwise (logs and pipes
 * stay clean). Call `update(done, total)` as work completes and `finish()` at the end.
 */
export function progressBar(io: Io, label: string, width = 30) {
  let last = '';
  return {
    update(done: number, total: number) {
      if (!io.tty || total <= 0) return;
      const share = Math.min(1, done / total);
      const filled = Math.round(share * width);
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
      if (line === last) return;
      last = line;
      io.err(`\r${line}`);
    },
    finish() {
      if (io.tty && last) io.err('\n');
    },
  };
}
