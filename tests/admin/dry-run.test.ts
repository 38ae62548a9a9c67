import { describe, expect, it } from 'vitest';
import { editions, items, outbox, sources } from '../../src/db/schema.ts';
import { buildEditions } from '../../src/editions/build-editions.ts';
import { planEditionsDryRun } from '../../src/operator/dry-run.ts';
import { addSubscriber } from '../../src/operator/subscribers.ts';
import { fakeClock, testDeps } from '../helpers/deps.ts';

describe('editions dry run', () => {
  it('predicts exactly the editions a real build then stores, and writes nothing itself', async () => {
    const clock = fakeClock(Date.UTC(2026, 10, 24, 9, 0));
    const deps = await testDeps({ clock });
    const now = clock();
    const [source] = await deps.db
      .insert(sources)
      .values({ url: 'https://news.example.org/feed', title: 'News' })
      .returning();
    const titles = [
      'Hockey playoffs open with an overtime thriller',
      'Climate policy talks stall over carbon prices',
      'New hockey arena approved downtown',
      'Carbon capture plant starts operating',
      'Local bakery wins national award',
    ];
    await deps.db.insert(items).values(
      titles.map((title, i) => ({
        sourceId: source!.id,
        key: `k${i}`,
        title,
        summary: title,
        fetchedAt: now - i * 3_600_000,
      })),
    );
    for (const [email, interests] of [
      ['hockey@example.org', ['hockey']],
      ['climate@example.org', ['climate policy', 'carbon']],
      ['nothing@example.org', ['opera']],
    ] as const)
      await addSubscriber(deps, { email, preferences: { interests: [...interests] } });

    const dry = await planEditionsDryRun(deps, { force: true });
    expect(dry).toMatchObject({ due: 3, wouldBuild: 2, empty: 1 });
    expect((await deps.db.select().from(editions).all()).length).toBe(0);
    expect((await deps.db.select().from(outbox).all()).length).toBe(0);

    const real = await buildEditions(deps, { force: true });
    expect(real).toMatchObject({ due: 3, built: 2, empty: 1 });
    const stored = await deps.db.select().from(editions).all();
    for (const predicted of dry.editions) {
      const edition = stored.find((e) => e.subscriberId === predicted.subscriberId)!;
      expect(edition.editionKey).toBe(predicted.editionKey);
      expect(edition.picks).toEqual(predicted.picks);
    }
  });
});
