import { parseConfig } from '../config.ts';
import type { Deps } from '../deps.ts';
import { createNodeDeps } from '../entry/node-deps.ts';
import { AppError, ConfigError } from '../errors.ts';
import { UsageError } from './args.ts';

/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  tty: boolean;
}

/** The process's stdout and stderr. */
export const stdio: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  tty: !!process.stderr.isTTY,
};

/**
 * Runs a command body with Node deps built exactly as `npm start` builds them (config from the
 * environment, migrated database), then closes them. Maps failures to exit codes: usage
 * errors 2, configuration and expected failures (AppError) 1 with a one-line reason.
 */
export async function runWithDeps(
  name: string,
  usage: string,
  io: Io,
  body: (deps: Deps) => Promise<number>,
): Promise<number> {
  let node: Awaited<ReturnType<typeof createNodeDeps>> | undefined;
  try {
    const config = parseConfig(process.env);
    node = await createNodeDeps(config);
    // Routine progress logs would interleave with the command's own output.
    const log = { ...node.deps.log, info() {}, debug() {} };
    return await body({ ...node.deps, log });
  } catch (e) {
    return reportError(name, usage, io, e);
  } finally {
    await node?.close();
  }
}

/** Prints an error the way every command does and returns its exit code. */
export function reportError(name: string, usage: string, io: Io, e: unknown): number {
  if (e instanceof UsageError) {
    io.err(`${name}: ${e.message}\n\n${usage}`);
    return 2;
  }
  if (e instanceof ConfigError) {
    io.err(`${name}: ${e.message}\n`);
    return 1;
  }
  if (e instanceof AppError) {
    io.err(`${name}: ${e.message}\n`);
    return 1;
  }
  throw e;
}

/**
 * A database URL as commands print it: credentials hidden, both before an '@' (user:password@)
 * and in an `authToken` query parameter (libsql accepts the Turso token there).
 */
export function shownDatabaseUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//…@').replace(/([?&]authToken=)[^&#]*/gi, '$1…');
}

/** Prints JSON on one line (for scripts: `--json`). */
export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value)}\n`);
}

/** A subcommand body: runs with built deps and returns the exit code. */
export type Subcommand = (deps: Deps, argv: string[], io: Io) => Promise<number>;

/**
 * Entry of a command group (`sift NAME SUBCOMMAND …`): `--help` anywhere prints the usage
 * (exit 0; no subcommand at all is a usage error, exit 2), an unknown subcommand is a usage
 * error, and a known one runs with deps built as `npm start` builds them.
 */
export async function runSubcommand(
  name: string,
  usage: string,
  commands: Record<string, Subcommand>,
  argv: string[],
  io: Io,
): Promise<number> {
  const [command, ...rest] = argv;
  if (
    !command ||
    ['--help', '-h', 'help'].includes(command) ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    (command ? io.out : io.err)(usage);
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) return reportError(name, usage, io, new UsageError(`unknown command '${command}'`));
  return runWithDeps(`${name} ${command}`, usage, io, (deps) => run(deps, rest, io));
}
