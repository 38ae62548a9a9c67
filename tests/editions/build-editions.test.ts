import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildEditions } from '../../src/editions/build-editions.ts';
import { createLog } from '../../src/log.ts';
import { getEditionByKey, storePlans } from '../../src/store/editions.ts';
import { closedAfterEach, fakeClock, testDeps } from '../helpers/deps.ts';
import { countsByKey, seedItems, seedSubscribers } from './seed.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Tuesday 24 November 2026; Berlin is UTC+1.
const MORNING = Date.UTC(2026, 10, 24, 0, 0);

type TestDeps = Awaited<ReturnType<typeof testDeps>>;
const keep = closedAfterEach();

async function setup(env: Record<string, string> = {}) {
  const clock = fakeClock(MORNING);
  const lines: string[] = [];
  const deps = await testDeps({
    clock,
    env,
    log: createLog('debug', (l) => lines.push(l)),
  });
  keep(deps);
  await seedItems(deps.db, MORNING - HOUR);
  return { deps, clock, lines };
}

const rows = (deps: TestDeps, q: ReturnType<typeof sql>) => deps.db.all<Record<string, unknown>>(q);

describe('buildEditions: who is due, exactly once', () => {
  it('builds one edition and one outbox row per due subscriber, at their local hour, and nothing on a rerun', async () => {
    const { deps, clock } = await setup();
    const [berlin, tokyo] = await seedSubscribers(
      deps.db,
      [{ timezone: 'Europe/Berlin' }, { timezone: 'Asia/Tokyo', deliveryHour: 18 }],
      MORNING - DAY,
    );
    clock.set(Date.UTC(2026, 10, 24, 6, 55)); // 07:55 Berlin, 15:55 Tokyo
    expect((await buildEditions(deps)).built).toBe(0);
    clock.set(Date.UTC(2026, 10, 24, 7, 0)); // 08:00 Berlin
    expect(await buildEditions(deps)).toMatchObject({ due: 1, built: 1 });
    clock.set(Date.UTC(2026, 10, 24, 9, 0)); // 18:00 Tokyo
    expect(await buildEditions(deps)).toMatchObject({ due: 1, built: 1 });
    expect(await buildEditions(deps)).toMatchObject({ due: 0, built: 0 });

    const editions = await rows(deps, sql`SELECT subscriber_id, edition_key FROM editions ORDER BY id`);
    expect(editions).toEqual([
      { subscriber_id: berlin, edition_key: '2026-11-24' },
      { subscriber_id: tokyo, edition_key: '2026-11-24' },
    ]);
    const outbox = await rows(deps, sql`SELECT subscriber_id, status FROM outbox ORDER BY id`);
    expect(outbox).toEqual([
      { subscriber_id: berlin, status: 'pending' },
      { subscriber_id: tokyo, status: 'pending' },
    ]);
  });

  it('never plans unsubscribed, pending, suppressed or paused subscribers', async () => {
    const { deps, clock } = await setup();
    const [active, , , suppressed, paused] = await seedSubscribers(
      deps.db,
      [
        {},
        { status: 'unsubscribed' },
        { status: 'pending' },
        { email: 'bounced@example.com' },
        { pausedUntil: Date.UTC(2026, 10, 26) },
      ],
      MORNING - DAY,
    );
    await deps.db.run(
      sql`INSERT INTO suppressions (email, reason) VALUES ('bounced@example.com', 'hard bounce')`,
    );
    clock.set(Date.UTC(2026, 10, 24, 9));
    expect(await buildEditions(deps)).toMatchObject({ due: 1, built: 1 });
    const planned = await rows(deps, sql`SELECT subscriber_id FROM editions`);
    expect(planned).toEqual([{ subscriber_id: active }]);
    expect(suppressed).toBeDefined();

    // The pause ends on the 26th at 00:00 UTC; that day's 08:00 edition is theirs again.
    await seedItems(deps.db, Date.UTC(2026, 10, 26, 1), 3, 'hockey');
    clock.set(Date.UTC(2026, 10, 26, 8, 30));
    await buildEditions(deps);
    const pausedEditions = await rows(
      deps,
      sql`SELECT edition_key FROM editions WHERE subscriber_id = ${paused}`,
    );
    expect(pausedEditions).toEqual([{ edition_key: '2026-11-26' }]);
  });

  it('stores the edition without an outbox row when email is off (feeds only)', async () => {
    const { deps, clock } = await setup();
    await seedSubscribers(deps.db, [{ emailEnabled: false }], MORNING - DAY);
    clock.set(Date.UTC(2026, 10, 24, 9));
    expect((await buildEditions(deps)).built).toBe(1);
    expect(await rows(deps, sql`SELECT count(*) AS n FROM outbox`)).toEqual([{ n: 0 }]);
  });

  it('does not pick an item again that an earlier edition already had', async () => {
    const { deps, clock } = await setup();
    const [id] = await seedSubscribers(deps.db, [{}], MORNING - DAY);
    clock.set(Date.UTC(2026, 10, 24, 9));
    await buildEditions(deps);
    await seedItems(deps.db, Date.UTC(2026, 10, 25, 1), 2, 'hockey');
    clock.set(Date.UTC(2026, 10, 25, 9));
    expect((await buildEditions(deps)).built).toBe(1);
    const picks = await rows(
      deps,
      sql`SELECT edition_key, picks FROM editions WHERE subscriber_id = ${id} ORDER BY id`,
    );
    const first = (JSON.parse(String(picks[0]!.picks)) as { itemId: number }[]).map((p) => p.itemId);
    const second = (JSON.parse(String(picks[1]!.picks)) as { itemId: number }[]).map((p) => p.itemId);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((i) => first.includes(i))).toEqual([]);
  });
});

describe('buildEditions: catch-up, skips and limits', () => {
  it('after downtime sends a missed edition once, not once per missed tick', async () => {
    const { deps, clock } = await setup();
    await seedSubscribers(deps.db, [{}], MORNING - DAY);
    // Down from 07:00 to 15:00 UTC: the 08:00 edition is found 7 h late.
    clock.set(Date.UTC(2026, 10, 24, 15));
    expect(await buildEditions(deps)).toMatchObject({ due: 1, built: 1, late: 0 });
    for (let i = 0; i < 12; i++) {
      clock.advance(5 * 60_000);
      expect((await buildEditions(deps)).built).toBe(0);
    }
    expect(await countsByKey(deps.db, 'editions')).toEqual([
      { subscriber_id: expect.any(Number), edition_key: '2026-11-24', n: 1 },
    ]);
  });

  it('skips and logs, once, an edition more than the catch-up window late; the next one is on time', async () => {
    const { deps, clock, lines } = await setup({ SIFT_CATCH_UP_HOURS: '6' });
    const [id] = await seedSubscribers(deps.db, [{}], MORNING - DAY);
    clock.set(Date.UTC(2026, 10, 24, 14, 1)); // 6 h 1 min late
    expect(await buildEditions(deps)).toMatchObject({ built: 0, late: 1 });
    expect(lines.filter((l) => l.includes('missed by more than the catch-up window'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('catch-up window'))).toContain(`${id}:2026-11-24`);
    clock.advance(5 * 60_000);
    expect(await buildEditions(deps)).toMatchObject({ built: 0, late: 0 });
    expect(lines.filter((l) => l.includes('missed by more than the catch-up window'))).toHaveLength(1);
    expect(await rows(deps, sql`SELECT edition_key, reason FROM edition_skips`)).toEqual([
      { edition_key: '2026-11-24', reason: 'late' },
    ]);

    await seedItems(deps.db, Date.UTC(2026, 10, 25, 1), 2, 'hockey');
    clock.set(Date.UTC(2026, 10, 25, 8, 0));
    expect(await buildEditions(deps)).toMatchObject({ built: 1 });
    expect(await rows(deps, sql`SELECT edition_key FROM editions`)).toEqual([{ edition_key: '2026-11-25' }]);
  });

  it('skips, records and counts a subscriber for whom nothing new passes the threshold', async () => {
    const { deps, clock } = await setup();
    await seedSubscribers(deps.db, [{ prefs: { interests: ['origami'] } }, {}], MORNING - DAY);
    clock.set(Date.UTC(2026, 10, 24, 9));
    expect(await buildEditions(deps)).toMatchObject({ due: 2, built: 1, empty: 1 });
    // Recorded: later ticks neither rank nor count them again.
    clock.advance(5 * 60_000);
    expect(await buildEditions(deps)).toMatchObject({ due: 0, empty: 0 });
    expect(await rows(deps, sql`SELECT edition_key, reason FROM edition_skips`)).toEqual([
      { edition_key: '2026-11-24', reason: 'empty' },
    ]);
  });

  it('plans in groups and honours a per-run limit without losing anyone', async () => {
    const { deps, clock } = await setup();
    await seedSubscribers(
      deps.db,
      Array.from({ length: 1234 }, (_, i) => ({ timezone: i % 2 ? 'Europe/Berlin' : 'America/New_York' })),
      MORNING - DAY,
    );
    clock.set(Date.UTC(2026, 10, 24, 14));
    expect(await buildEditions(deps, { limit: 1000, groupSize: 128 })).toMatchObject({
      due: 1234,
      built: 1000,
      deferred: 234,
    });
    expect(await buildEditions(deps, { groupSize: 128 })).toMatchObject({
      due: 234,
      built: 234,
      deferred: 0,
    });
    const counts = await countsByKey(deps.db, 'outbox');
    expect(counts).toHaveLength(1234);
    expect(counts.every((c) => c.n === 1)).toBe(true);
  });

  it('stops between groups when asked (graceful shutdown) and the next run finishes the rest', async () => {
    const { deps, clock } = await setup();
    await seedSubscribers(
      deps.db,
      Array.from({ length: 300 }, () => ({})),
      MORNING - DAY,
    );
    clock.set(Date.UTC(2026, 10, 24, 9));
    const controller = new AbortController();
    let stored = 0;
    const original = deps.db.batch.bind(deps.db);
    // Abort as soon as the first group is stored.
    deps.db.batch = ((...args: Parameters<typeof original>) =>
      original(...args).then((r) => {
        if (++stored === 1) controller.abort();
        return r;
      })) as typeof deps.db.batch;
    const first = await buildEditions(deps, { groupSize: 100, signal: controller.signal });
    expect(first).toMatchObject({ built: 100, deferred: 200 });
    deps.db.batch = original;
    expect(await buildEditions(deps)).toMatchObject({ built: 200 });
  });
});

describe('storing planned editions', () => {
  it('keeps picks exactly as ranked, whatever characters their reasons hold, and stores a group once', async () => {
    const { deps } = await setup();
    const [id] = await seedSubscribers(deps.db, [{ email: 'quote@example.com' }], MORNING - DAY);
    const reasons = ["matches 'rock n' roll'", 'naïve café — 日本語 😀', 'back\\slash "double" \u0000 nul'];
    const planned = [
      {
        subscriberId: id!,
        editionKey: '2026-11-24',
        picks: [{ itemId: 1, score: 0.5, reasons }],
        email: true,
      },
    ];
    const first = await storePlans(deps.db, { editions: planned, skips: [], now: MORNING });
    expect([...first.created]).toEqual([id]);
    expect(first.outboxRows).toBe(1);
    const again = await storePlans(deps.db, { editions: planned, skips: [], now: MORNING });
    expect(again.created.size).toBe(0);
    expect(again.outboxRows).toBe(0);
    const stored = await getEditionByKey(deps.db, id!, '2026-11-24');
    expect(stored!.picks).toEqual([{ itemId: 1, score: 0.5, reasons }]);
  });
});
