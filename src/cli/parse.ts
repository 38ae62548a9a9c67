// `sift parse FILE...`: runs local feed files through exactly the pipeline a fetched body goes
// through (decode, parse, normalise, sanitise) and prints one JSON line per file.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type NormalizedItem, parseFeedBytes } from '../ingest/parse.ts';

const USAGE = `Usage: sift parse FILE...

Parses local RSS, Atom, RDF or JSON Feed files with the ingestion pipeline and prints one JSON
line per file: { file, ok, error?, format?, title?, items: [{ id, title, link, summary,
contentHtml, author, categories, publishedAt }] }. A file that cannot be parsed gives ok: false
with the reason, and the next file is still parsed.

Options:
  --base URL   resolve relative links against URL instead of the file's own file: URL
Exit codes: 0 every file parsed, 1 at least one file failed, 2 usage error.
`;

/** An item as `sift parse` prints it: the normalised item, its key as `id`, its date as ISO text. */
type ParsedItemLine = Omit<NormalizedItem, 'key' | 'publishedAt' | 'enclosure'> & {
  id: string;
  publishedAt: string | null;
};

/** One line of `sift parse` output. */
export interface ParseLine {
  file: string;
  ok: boolean;
  error?: string;
  format?: string;
  title?: string | null;
  items: ParsedItemLine[];
}

/** Parses one file into its output line (never throws). */
export async function parseFile(file: string, base?: string): Promise<ParseLine> {
  try {
    const bytes = new Uint8Array(await readFile(file));
    const feed = await parseFeedBytes(bytes, { url: base ?? pathToFileURL(resolve(file)).href });
    return {
      file,
      ok: true,
      format: feed.format,
      title: feed.title,
      items: feed.items.map((i) => ({
        id: i.key,
        title: i.title,
        link: i.link,
        summary: i.summary,
        contentHtml: i.contentHtml,
        author: i.author,
        categories: i.categories,
        publishedAt: i.publishedAt === null ? null : new Date(i.publishedAt).toISOString(),
      })),
    };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const error =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EISDIR'
          ? 'is a directory'
          : err.message.replace(/^ingest: /, '');
    return { file, ok: false, error, items: [] };
  }
}

/** Entry of `sift parse`; returns the exit code. */
export async function runParse(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let base: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--base') {
      base = args[++i];
      if (!base || !/^https?:\/\//.test(base)) {
        process.stderr.write('sift parse: --base needs an http(s) URL\n');
        return 2;
      }
    } else files.push(args[i]!);
  }
  if (files.length === 0) {
    process.stderr.write(`sift parse: no files given\n\n${USAGE}`);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const line = await parseFile(file, base);
    if (!line.ok) failed++;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return failed ? 1 : 0;
}
