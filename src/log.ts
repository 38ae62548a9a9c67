/** Structured one-line logger. Values named like secrets are never printed. */
export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];
const SECRET_FIELD = /token|secret|password|auth/i;

function format(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => {
      const value = SECRET_FIELD.test(k) ? '[redacted]' : v instanceof Error ? v.message : v;
      return ` ${k}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`;
    })
    .join('');
}

/** Creates a logger writing to `write` (stderr by default) at or above `level`. */
export function createLog(
  level: Level = 'info',
  write: (line: string) => void = (l) => console.error(l),
): Log {
  const min = LEVELS.indexOf(level);
  const at = (l: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(l) >= min) write(`${new Date().toISOString()} ${l.padEnd(5)} ${msg}${format(fields)}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything (tests). */
export const silentLog: Log = createLog('silent');
