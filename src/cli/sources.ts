// `sift sources …`: manage feed sources from the shell (add validates by fetching once).
import { readFile, writeFile } from 'node:fs/promises';
import { parseConfig } from '../config.ts';
import type { Source } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { createNodeDeps } from '../entry/node-deps.ts';
import { AppError } from '../errors.ts';
import { addSource } from '../ingest/add-source.ts';
import { exportSourcesOpml, importOpml } from '../ingest/opml.ts';
import { refreshSource } from '../ingest/refresh-source.ts';
import { countItems } from '../store/items.ts';
import { deleteSource, getSource, listSources, updateSource } from '../store/sources.ts';

const USAGE = `Usage: sift sources <command>

Commands:
  add URL [--title T]   Fetch URL once, check it is an allowed feed, store it and its items
  list [--json]         Every source with its health (last success, last error, paused reason)
  check ID              Fetch one source now and report the outcome
  pause ID              Stop checking a source (its items stay)
  resume ID             Check a paused source again, starting now
  remove ID             Delete a source and its items
  import FILE.opml      Add the feeds of an OPML file (checked at the next ingest run)
  export [FILE]         Write all sources as OPML (to stdout without FILE)

Exit codes: 0 success, 1 failure (e.g. a refused or broken URL), 2 usage error.
`;

type Io = { out: (s: string) => void; err: (s: string) => void };
const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Entry of `sift sources`; returns the exit code. Deps come from the environment (as `npm start`). */
export async function runSources(args: string[], io: Io = stdio, given?: Deps): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? io.out : io.err)(USAGE);
    return command ? 0 : 2;
  }
  if (!COMMANDS[command]) {
    io.err(`sift sources: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  let close = async () => {};
  let deps = given;
  if (!deps) {
    const node = await createNodeDeps(parseConfig(process.env));
    deps = { ...node.deps, log: { ...node.deps.log, info() {}, debug() {} } };
    close = node.close;
  }
  try {
    return await COMMANDS[command]!(deps, rest, io);
  } catch (e) {
    if (e instanceof AppError) {
      io.err(`sift sources ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await close();
  }
}

function sourceId(arg: string | undefined, io: Io): number | null {
  const id = Number(arg);
  if (!arg || !Number.isInteger(id) || id <= 0) {
    io.err('sift sources: expected a source ID (see `sift sources list`)\n');
    return null;
  }
  return id;
}

async function mustGet(deps: Deps, id: number): Promise<Source> {
  const source = await getSource(deps.db, id);
  if (!source) throw new AppError('not_found', `no source with ID ${id}`);
  return source;
}

function when(t: number | null): string {
  return t ? new Date(t).toISOString().replace(/\.\d+Z$/, 'Z') : 'never';
}

const COMMANDS: Record<string, (deps: Deps, args: string[], io: Io) => Promise<number>> = {
  async add(deps, args, io) {
    const titleAt = args.indexOf('--title');
    const title = titleAt >= 0 ? args[titleAt + 1] : undefined;
    const urls = titleAt < 0 ? args : args.filter((_, i) => i !== titleAt && i !== titleAt + 1);
    if (urls.length !== 1 || (titleAt >= 0 && !title)) {
      io.err('Usage: sift sources add URL [--title T]\n');
      return 2;
    }
    const { source, feed } = await addSource(deps, { url: urls[0]!, title });
    io.out(
      `added source ${source.id}: ${source.title ?? source.url} — ${feed.format}, ${feed.itemCount} item${feed.itemCount === 1 ? '' : 's'}\n  ${source.url}\n`,
    );
    return 0;
  },

  async list(deps, args, io) {
    const sources = await listSources(deps.db);
    if (args.includes('--json')) {
      io.out(`${JSON.stringify(sources)}\n`);
      return 0;
    }
    if (sources.length === 0) io.out('no sources yet: add one with `sift sources add URL`\n');
    for (const s of sources) {
      const state = s.paused ? 'paused' : s.lastError ? 'failing' : s.lastSuccessAt ? 'ok' : 'new';
      io.out(`${s.id}\t${state}\t${s.title ?? '(untitled)'}\t${s.url}\n`);
      io.out(`\tlast success ${when(s.lastSuccessAt)}, next check ${s.paused ? '—' : when(s.nextCheckAt)}`);
      io.out(`, ${await countItems(deps.db, s.id)} items${s.format ? `, ${s.format}` : ''}\n`);
      if (s.lastError) io.out(`\tlast error (${s.errorCount} in a row): ${s.lastError}\n`);
      if (s.paused && s.pausedReason) io.out(`\t${s.pausedReason}\n`);
    }
    return 0;
  },

  async check(deps, args, io) {
    const id = sourceId(args[0], io);
    if (id === null) return 2;
    const outcome = await refreshSource(deps, await mustGet(deps, id));
    if (outcome.ok) {
      io.out(
        outcome.notModified
          ? `source ${id}: not modified (304)\n`
          : `source ${id}: ${outcome.items} items, ${outcome.newItems} new\n`,
      );
      return 0;
    }
    io.err(`source ${id}: ${outcome.error}${outcome.paused ? ' (source paused)' : ''}\n`);
    return 1;
  },

  async pause(deps, args, io) {
    const id = sourceId(args[0], io);
    if (id === null) return 2;
    await mustGet(deps, id);
    await updateSource(deps.db, id, { paused: true, pausedReason: 'paused by the operator' });
    io.out(`source ${id} paused\n`);
    return 0;
  },

  async resume(deps, args, io) {
    const id = sourceId(args[0], io);
    if (id === null) return 2;
    await mustGet(deps, id);
    await updateSource(deps.db, id, {
      paused: false,
      pausedReason: null,
      errorCount: 0,
      nextCheckAt: deps.clock(),
    });
    io.out(`source ${id} resumed: it is checked at the next ingest run\n`);
    return 0;
  },

  async remove(deps, args, io) {
    const id = sourceId(args[0], io);
    if (id === null) return 2;
    if (!(await deleteSource(deps.db, id))) throw new AppError('not_found', `no source with ID ${id}`);
    io.out(`source ${id} removed with its items\n`);
    return 0;
  },

  async import(deps, args, io) {
    if (args.length !== 1) {
      io.err('Usage: sift sources import FILE.opml\n');
      return 2;
    }
    let text: string;
    try {
      text = await readFile(args[0]!, 'utf8');
    } catch (e) {
      throw new AppError('bad_request', `cannot read ${args[0]}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    const lines = await importOpml(deps, text);
    for (const l of lines) {
      if (l.status === 'refused') io.err(`refused\t${l.url}\t${l.error}\n`);
      else io.out(`${l.status}\t${l.sourceId}\t${l.url}\n`);
    }
    const count = (s: string) => lines.filter((l) => l.status === s).length;
    io.out(`${count('added')} added, ${count('exists')} already present, ${count('refused')} refused\n`);
    return count('refused') > 0 ? 1 : 0;
  },

  async export(deps, args, io) {
    const opml = await exportSourcesOpml(deps);
    if (args[0]) {
      await writeFile(args[0], opml);
      io.err(`wrote ${args[0]}\n`);
    } else io.out(opml);
    return 0;
  },
};
