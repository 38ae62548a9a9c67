import type { Hono } from 'hono';
import { createApp } from '../../src/app.tsx';
import type { OutgoingEmail } from '../../src/deliver/mailer.ts';
import { type PreferencesInput, parsePreferences } from '../../src/preferences/schema.ts';
import { storeEdition } from '../../src/store/editions.ts';
import { upsertItems } from '../../src/store/items.ts';
import { upsertSource } from '../../src/store/sources.ts';
import { createSubscriber } from '../../src/store/subscribers.ts';
import { fakeClock, memoryMailer, testDeps } from '../helpers/deps.ts';

/** The site's origin in tests (SIFT_BASE_URL of testDeps). */
export const ORIGIN = 'https://sift.test';

/** A test world: real migrated libsql, a memory mailer, a fake clock, the app, and a few helpers. */
export async function world(env: Record<string, string> = {}) {
  const clock = fakeClock(Date.UTC(2026, 10, 24, 9, 0));
  const mailer = memoryMailer();
  const deps = await testDeps({ clock, mailer, env });
  const app = createApp(deps);
  return { deps, app, clock, mailer, ...helpers(app, mailer) };
}

function helpers(app: Hono, mailer: { sent: OutgoingEmail[] }) {
  /** A same-site form POST (as a browser sends it), with an optional cookie and extra headers. */
  const post = (
    path: string,
    form: Record<string, string | string[]> = {},
    headers: Record<string, string> = {},
  ) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...headers },
      body,
      redirect: 'manual',
    });
  };
  const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
  /** The action URL path of the last email to `to` (the one button of a transactional email). */
  const lastLink = (to: string) => {
    const mail = mailer.sent.filter((m) => m.to === to).at(-1);
    const m = mail && /https:\/\/sift\.test(\/(?:confirm|signin)\/[A-Za-z0-9_-]+)/.exec(mail.text);
    if (!m) throw new Error(`no link mailed to ${to}`);
    return m[1]!;
  };
  return { post, get, lastLink };
}

/** The `name=value` of a Set-Cookie response header, for the next request's Cookie header. */
export function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie');
  if (!set) throw new Error('no Set-Cookie');
  return set.split(';')[0]!;
}

/** Seeds one source with items about hockey, climate and football, published before `now`. */
export async function seedItems(deps: Awaited<ReturnType<typeof testDeps>>, now: number) {
  const source = await upsertSource(deps.db, { url: 'https://news.example/feed.xml', title: 'Example News' });
  const other = await upsertSource(deps.db, { url: 'https://sport.example/rss', title: 'Sport Wire' });
  const rows = [
    ['NHL playoffs: hockey night ends in overtime', ['Hockey'], source.id],
    ['Hockey league adds two teams', ['Hockey'], other.id],
    ['Climate policy talks resume in Bonn', ['Climate'], source.id],
    ['New climate policy targets for cities', ['Climate'], source.id],
    ['Football transfer window closes', ['Football'], other.id],
    ['Football and hockey share a stadium', ['Football'], other.id],
    ['Rust compiler release notes', ['Programming'], source.id],
  ] as const;
  await upsertItems(
    deps.db,
    rows.map(([title, categories, sourceId], i) => ({
      sourceId,
      key: `k${i}`,
      url: `https://news.example/${i}`,
      title,
      summary: `${title}. More about ${categories[0]}.`,
      categories: [...categories],
      publishedAt: now - (i + 1) * 3_600_000,
      fetchedAt: now - (i + 1) * 3_600_000,
    })),
  );
  return { source, other };
}

/** An active subscriber with preferences. */
export async function activeSubscriber(
  deps: Awaited<ReturnType<typeof testDeps>>,
  email = 'reader@example.com',
  prefs: PreferencesInput = { interests: ['hockey'] },
) {
  return createSubscriber(
    deps.db,
    { email, status: 'active', confirmedAt: deps.clock() },
    parsePreferences(prefs),
  );
}

/** Stores an edition of the given item ids for a subscriber. */
export async function edition(
  deps: Awaited<ReturnType<typeof testDeps>>,
  subscriberId: number,
  key: string,
  itemIds: number[],
  email = true,
) {
  await storeEdition(deps.db, {
    subscriberId,
    editionKey: key,
    picks: itemIds.map((itemId) => ({ itemId, score: 1, reasons: ["matches your interest 'hockey'"] })),
    email,
    now: deps.clock(),
  });
}
