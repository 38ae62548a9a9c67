import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { items, sources } from '../../src/db/schema.ts';
import { buildEditions } from '../../src/editions/build-editions.ts';
import { parseFeedBytes } from '../../src/ingest/parse.ts';
import { refreshSource, storeItems } from '../../src/ingest/refresh-source.ts';
import { createLog } from '../../src/log.ts';
import { parsePreferences } from '../../src/preferences/schema.ts';
import { interestSentenceText } from '../../src/rank/index.ts';
import type { SentenceEncoder } from '../../src/semantic/encoder.ts';
import { createSentenceService, memoryVectorStore } from '../../src/semantic/service.ts';
import { getEditionByKey } from '../../src/store/editions.ts';
import { dbVectorStore } from '../../src/store/sentence-vectors.ts';
import { insertTopic } from '../../src/store/topics.ts';
import { previewEdition } from '../../src/subscribers/preview.ts';
import { closedAfterEach, fakeClock, testDeps } from '../helpers/deps.ts';
import { requireSentenceEncoder } from '../helpers/encoder.ts';
import { seedSubscribers } from './seed.ts';

const HOUR = 3_600_000;
const MORNING = Date.UTC(2026, 10, 24, 0, 0);

type TestDeps = Awaited<ReturnType<typeof testDeps>>;
const keep = closedAfterEach();

let encoder: SentenceEncoder;
beforeAll(async () => {
  encoder = await requireSentenceEncoder();
});

const count = async (deps: TestDeps, table: string) =>
  (await deps.db.all<{ n: number }>(sql`select count(*) as n from ${sql.identifier(table)}`))[0]!.n;

/** Deps with the product's sentence services over the real encoder, or one that crashes, or none. */
async function setup(sentences: 'real' | 'crashing' | 'none') {
  const clock = fakeClock(MORNING);
  const lines: string[] = [];
  const deps = await testDeps({ clock, log: createLog('debug', (l) => lines.push(l)) });
  keep(deps);
  // The texts the real encoder was asked for.
  const asked: string[] = [];
  const used =
    sentences === 'crashing'
      ? {
          model: encoder.model,
          dims: encoder.dims,
          encode: () => Promise.reject(new Error('encoder crashed')),
        }
      : {
          model: encoder.model,
          dims: encoder.dims,
          encode: (texts: readonly string[]) => {
            asked.push(...texts);
            return encoder.encode(texts);
          },
        };
  if (sentences !== 'none')
    deps.sentences = {
      items: createSentenceService(used, dbVectorStore(deps.db)),
      interests: createSentenceService(used, memoryVectorStore(100)),
    };
  return { deps, clock, lines, asked };
}

/** One paused source with a hockey story that never says "hockey", among unrelated ones. */
async function seedStories(deps: TestDeps, at: number) {
  const [source] = await deps.db
    .insert(sources)
    .values({ url: 'https://news.test/mixed.rss', title: 'News', paused: true, nextCheckAt: at })
    .returning({ id: sources.id });
  const titles = [
    ['Oilers beat Flames in overtime thriller', 'The goalie made forty saves on the ice.'],
    ['Hockey: Leafs edge Bruins', 'A hockey night in Toronto.'],
    ['City council approves new budget for road repairs', 'The vote was close.'],
    ['Local bakery wins award for sourdough bread', 'Queues around the block.'],
    ['Museum opens exhibition of modern sculpture', 'Free entry on Sundays.'],
  ];
  await deps.db.insert(items).values(
    titles.map(([title, summary], i) => ({
      sourceId: source!.id,
      key: `k${i}`,
      url: `https://news.test/${i}`,
      title: title!,
      summary: summary!,
      fetchedAt: at,
      publishedAt: at,
    })),
  );
}

async function plannedPicks(sentences: 'real' | 'crashing' | 'none') {
  const { deps, clock, lines } = await setup(sentences);
  await seedStories(deps, MORNING - HOUR);
  const [id] = await seedSubscribers(deps.db, [{ prefs: { interests: ['hockey'] } }], MORNING - 24 * HOUR);
  clock.set(Date.UTC(2026, 10, 24, 8, 0));
  const stats = await buildEditions(deps);
  const edition = await getEditionByKey(deps.db, id!, '2026-11-24');
  return { deps, stats, lines, picks: edition?.picks ?? [] };
}

describe('sentence vectors in the product', () => {
  it('ingest stores a vector for every new item, and a second fetch encodes nothing new', async () => {
    const { deps, asked } = await setup('real');
    const [source] = await deps.db
      .insert(sources)
      .values({ url: 'bundled:sports-wire.rss', kind: 'bundled' })
      .returning();
    const first = await refreshSource(deps, source!);
    expect(first.ok).toBe(true);
    const stored = await count(deps, 'items');
    expect(stored).toBeGreaterThan(3);
    expect(await count(deps, 'sentence_vectors')).toBe(stored);
    expect(asked).toHaveLength(stored);
    await refreshSource(deps, (await deps.db.select().from(sources).get())!);
    expect(asked).toHaveLength(stored);
  });

  it('an item whose headline is edited is encoded again, and only that one', async () => {
    const { deps, asked } = await setup('real');
    const [source] = await deps.db.insert(sources).values({ url: 'https://news.test/feed.rss' }).returning();
    const feed = (title: string) =>
      parseFeedBytes(
        new TextEncoder().encode(
          `<rss version="2.0"><channel><title>T</title>
          <item><guid>a</guid><title>${title}</title><description>The goalie made forty saves.</description></item>
          <item><guid>b</guid><title>City council approves budget</title><description>Close vote.</description></item>
          </channel></rss>`,
        ),
        { url: 'https://news.test/feed.rss', contentType: 'application/rss+xml', now: MORNING },
      );
    await storeItems(deps, source!.id, await feed('Oilers beat Flames'), MORNING);
    expect(asked).toHaveLength(2);
    await storeItems(deps, source!.id, await feed('Oilers beat Flames in overtime'), MORNING + HOUR);
    expect(asked.slice(2)).toEqual(['Oilers beat Flames in overtime. The goalie made forty saves.']);
  });

  it('the planner reads them and encodes the interests: a story about the interest scores higher, and says why', async () => {
    const without = await plannedPicks('none');
    const withSentences = await plannedPicks('real');
    expect(withSentences.stats.built).toBe(1);
    // The planner encoded and stored the 5 items (ingest had not); the interest, something the
    // subscriber typed, was encoded but never written to the database.
    expect(await count(withSentences.deps, 'sentence_vectors')).toBe(5);
    const score = (picks: typeof without.picks, title: string) =>
      picks.find((p) => p.itemId === titleIds[title])?.score ?? 0;
    const titleIds: Record<string, number> = Object.fromEntries(
      (await withSentences.deps.db.select({ id: items.id, title: items.title }).from(items).all()).map(
        (r) => [r.title, r.id],
      ),
    );
    const oilers = 'Oilers beat Flames in overtime thriller';
    expect(score(withSentences.picks, oilers)).toBeGreaterThan(score(without.picks, oilers));
    const pick = withSentences.picks.find((p) => p.itemId === titleIds[oilers]);
    expect(pick?.reasons[0]).toMatch(/your interest 'hockey'/);
    // Unrelated stories stay out either way.
    expect(withSentences.picks.map((p) => p.itemId)).not.toContain(
      titleIds['Museum opens exhibition of modern sculpture'],
    );
  });

  it('an encoder that crashes costs only the vectors: editions are still built, and the log says why', async () => {
    const { stats, picks, lines } = await plannedPicks('crashing');
    expect(stats.built).toBe(1);
    expect(picks.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('encoder crashed'))).toBe(true);
  });

  it('topics are encoded from their seed terms, in memory, for the planner', async () => {
    const { deps, clock, asked } = await setup('real');
    await seedStories(deps, MORNING - HOUR);
    await insertTopic(deps.db, { name: 'Ice sports', terms: ['hockey', 'skating'] });
    await seedSubscribers(deps.db, [{ prefs: { topics: ['Ice sports'] } }], MORNING - 24 * HOUR);
    clock.set(Date.UTC(2026, 10, 24, 8, 0));
    expect((await buildEditions(deps)).built).toBe(1);
    expect(asked).toContain(interestSentenceText(['hockey', 'skating']));
    // Stored: the 5 items only, never the topic's text.
    expect(await count(deps, 'sentence_vectors')).toBe(5);
  });

  it('the live preview encodes the interests it is shown, and never items (a page view does not wait)', async () => {
    const { deps, asked } = await setup('real');
    await seedStories(deps, MORNING - HOUR);
    const [id] = await seedSubscribers(deps.db, [{ prefs: { interests: ['hockey'] } }], MORNING - 24 * HOUR);
    const preview = await previewEdition(deps, id!, parsePreferences({ interests: ['hockey', 'curling'] }));
    expect(preview.picks.length).toBeGreaterThan(0);
    expect(asked.sort()).toEqual([interestSentenceText(['curling']), interestSentenceText(['hockey'])]);
    expect(await count(deps, 'sentence_vectors')).toBe(0);
  });
});
