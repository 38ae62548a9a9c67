/**
 * Real mail servers for delivery tests: an in-process SMTP server (smtp-server) on 127.0.0.1
 * with fault injection, and a database seeded with subscribers whose editions await sending.
 */
import type { Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Deps } from '../../src/deps.ts';
import { parsePreferences } from '../../src/preferences/schema.ts';
import { storeEdition } from '../../src/store/editions.ts';
import { upsertItems } from '../../src/store/items.ts';
import { upsertSource } from '../../src/store/sources.ts';
import { createSubscriber } from '../../src/store/subscribers.ts';

/** What the test server does at each step; return an error reply to refuse. */
export interface SmtpFaults {
  /** Before accepting MAIL FROM; e.g. `{ code: 421, text: 'try later' }`. */
  mailFrom?: (session: SMTPServerSession) => { code: number; text: string } | undefined;
  /** Before accepting a recipient. */
  rcptTo?: (address: string) => { code: number; text: string } | undefined;
  /** During DATA: return 'drop' to cut the connection after part of the message arrived. */
  data?: (session: SMTPServerSession) => 'drop' | undefined;
}

/** A received message: parsed, with its raw source and envelope recipient. */
export interface Received {
  to: string;
  raw: Buffer;
  mail: ParsedMail;
}

function reply(r: { code: number; text: string }) {
  return Object.assign(new Error(r.text), { responseCode: r.code });
}

/** Starts an SMTP server on 127.0.0.1 (no TLS, no auth) that records what it accepts. */
export async function startSmtp(faults: SmtpFaults = {}) {
  const received: Received[] = [];
  const sockets = new Map<number, Socket>();
  const attempts = { mailFrom: 0, data: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, session, cb) {
      attempts.mailFrom++;
      const r = faults.mailFrom?.(session);
      cb(r ? reply(r) : undefined);
    },
    onRcptTo(address, _session, cb) {
      const r = faults.rcptTo?.(address.address);
      cb(r ? reply(r) : undefined);
    },
    onData(stream, session, cb) {
      attempts.data++;
      const chunks: Buffer[] = [];
      if (faults.data?.(session) === 'drop') {
        // Read a little of the message, then cut the TCP connection mid-DATA.
        stream.once('data', () => {
          sockets.get(session.remotePort)?.destroy();
          stream.resume();
        });
        stream.on('end', () => cb(reply({ code: 451, text: 'dropped' })));
        return;
      }
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        received.push({ to: session.envelope.rcptTo[0]!.address, raw, mail: await simpleParser(raw) });
        cb();
      });
    },
  });
  // smtp-server keeps its net.Server here; sockets are kept so a test can cut one mid-DATA.
  const net = (server as unknown as { server: import('node:net').Server }).server;
  net.on('connection', (s: Socket) => {
    sockets.set(s.remotePort!, s);
    s.on('close', () => sockets.delete(s.remotePort!));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (net.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets.values()) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Seeds a source with three items and one active subscriber per address, each with an
 * edition for `editionKey` and a pending outbox row. Returns the subscriber ids in order.
 */
export async function seedEditions(
  deps: Deps,
  emails: string[],
  editionKey = '2026-11-24',
): Promise<number[]> {
  const source = await upsertSource(deps.db, { url: 'https://rink.example/feed.rss', title: 'Rink Report' });
  await upsertItems(
    deps.db,
    [1, 2, 3].map((n) => ({
      sourceId: source.id,
      key: `story-${n}`,
      url: `https://rink.example/story-${n}?a=1&b=2`,
      title: `Hockey story ${n}: Oilers & "Flames"`,
      summary: `Summary of story ${n}, about hockey.`,
      categories: ['Sports'],
      publishedAt: deps.clock() - n * 3_600_000,
    })),
  );
  const itemIds = (await deps.db.all<{ id: number }>(sql`SELECT id FROM items ORDER BY id`)).map((r) =>
    Number(r.id),
  );
  const ids: number[] = [];
  for (const email of emails) {
    const s = await createSubscriber(
      deps.db,
      { email, status: 'active', timezone: 'UTC', deliveryHour: 7 },
      parsePreferences({ interests: ['hockey'] }),
    );
    await storeEdition(deps.db, {
      subscriberId: s.id,
      editionKey,
      picks: itemIds.map((itemId, i) => ({
        itemId,
        score: 1 - i / 10,
        reasons: ["matches your interest 'hockey'", ...(i === 0 ? ['also covered by 2 other sources'] : [])],
      })),
      email: true,
      now: deps.clock(),
    });
    ids.push(s.id);
  }
  return ids;
}
