/** `sift preview EMAIL`: writes a subscriber's rendered edition to files; opens nothing. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { previewEdition } from '../operator/editions.ts';
import { findSubscriber } from '../operator/subscribers.ts';
import { parseArgs, positiveInt, UsageError } from './args.ts';
import { type Io, printJson, reportError, runWithDeps, stdio } from './context.ts';

const USAGE = `Usage: sift preview EMAIL [--edition ID | --next] [--out DIR] [--json]

Renders the subscriber's edition as they would receive it and writes it to DIR as
an .html file and a .txt file (the plain-text part); prints the paths and opens nothing.
By default this is their latest edition; without one (or with --next), it is what their
edition would hold if it were built now — ranked in memory, nothing is written to the database.

Options:
  --edition ID   a given edition of theirs (see \`sift editions list --subscriber EMAIL\`)
  --next         what the next edition would hold now
  --out DIR      where to write (default: $SIFT_DATA_DIR/previews)
  --json         print {"kind","editionId","editionKey","subject","picks","html","text"} (paths)
  -h, --help

Exit codes: 0 written, 1 unknown subscriber or edition, 2 usage error.
`;

/** Entry of `sift preview`; returns the exit code. */
export async function runPreview(argv: string[], io: Io = stdio): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs(argv, {
      edition: { type: 'string' },
      next: { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
  try {
    parsed = parse();
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new UsageError('expected one EMAIL');
    if (parsed.values.edition !== undefined && parsed.values.next)
      throw new UsageError('--edition and --next exclude each other');
  } catch (e) {
    return reportError('sift preview', USAGE, io, e);
  }
  const { values, positionals } = parsed;
  return runWithDeps('sift preview', USAGE, io, async (deps) => {
    const subscriber = await findSubscriber(deps, positionals[0]!);
    const preview = await previewEdition(deps, {
      subscriberId: subscriber.id,
      editionId: values.edition === undefined ? undefined : positiveInt(values.edition, '--edition ID'),
      next: values.next,
    });
    const dir = resolve(values.out ?? join(deps.config.SIFT_DATA_DIR, 'previews'));
    mkdirSync(dir, { recursive: true });
    const slug = `${subscriber.email.replace(/[^a-z0-9]+/gi, '-')}-${preview.editionKey}${preview.kind === 'next' ? '-next' : ''}`;
    const html = join(dir, `${slug}.html`);
    const text = join(dir, `${slug}.txt`);
    writeFileSync(html, preview.html);
    writeFileSync(text, preview.text);
    const summary = {
      kind: preview.kind,
      editionId: preview.editionId,
      editionKey: preview.editionKey,
      subject: preview.subject,
      picks: preview.picks,
      html,
      text,
    };
    if (values.json) printJson(io, summary);
    else
      io.out(
        `${preview.kind === 'next' ? 'next edition (not stored)' : `edition ${preview.editionId}`} ` +
          `for ${subscriber.email}, ${preview.editionKey}: "${preview.subject}", ${preview.picks} pick${preview.picks === 1 ? '' : 's'}\n` +
          `  ${html}\n  ${text}\n`,
      );
    return 0;
  });
}
