import {
  applyD1Migrations,
  createExecutionContext,
  createScheduledController,
  type D1Migration,
  env,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker, { type Env as WorkerEnv } from '../../src/entry/worker.ts';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

describe('Sift in workerd with local D1', () => {
  beforeAll(async () => {
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  });

  it('has the schema from drizzle/ applied', async () => {
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{
      name: string;
    }>();
    const names = tables.results.map((r) => r.name);
    for (const t of ['sources', 'items', 'subscribers', 'preferences', 'editions', 'outbox', 'tokens'])
      expect(names).toContain(t);
  });

  it('serves the landing page', async () => {
    const res = await SELF.fetch('https://sift.test/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('Sift');
  });

  it('answers 404 for a forged feed token', async () => {
    const res = await SELF.fetch('https://sift.test/feeds/1.1.AAAAAAAAAAAAAAAAAAAAAA.atom');
    expect(res.status).toBe(404);
  });

  it('runs the planner from the scheduled handler and stores an edition with an outbox row', async () => {
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO sources (id, url, kind, title, next_check_at, paused) VALUES (1, 'https://news.test/feed', 'http', 'News', ?, 1)",
      ).bind(now + 3_600_000),
      env.DB.prepare(
        "INSERT INTO items (source_id, key, url, title, summary, categories, fetched_at) VALUES (1, 'a', 'https://news.test/a', 'Hockey night: the home team wins', 'A hockey story', '[]', ?)",
      ).bind(now),
      env.DB.prepare(
        "INSERT INTO items (source_id, key, url, title, summary, categories, fetched_at) VALUES (1, 'b', 'https://news.test/b', 'Gardening tips for winter', 'Plants', '[]', ?)",
      ).bind(now),
      env.DB.prepare(
        "INSERT INTO subscribers (id, email, status, timezone, delivery_hour, delivery_minute) VALUES (1, 'reader@example.com', 'active', 'UTC', 0, 0)",
      ),
      env.DB.prepare(
        `INSERT INTO preferences (subscriber_id, data) VALUES (1, '{"interests":[{"term":"hockey","weight":1}],"topics":[],"mutes":[],"followedSources":[],"mutedSources":[],"maxItems":10,"perSourceCap":3,"freshnessHours":72}')`,
      ),
    ]);
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: new Date(now), cron: '*/5 * * * *' }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);

    const edition = await env.DB.prepare('SELECT picks FROM editions WHERE subscriber_id = 1').first<{
      picks: string;
    }>();
    expect(edition).not.toBeNull();
    const picks = JSON.parse(edition!.picks) as { itemId: number; reasons: string[] }[];
    expect(picks).toHaveLength(1);
    expect(picks[0]!.reasons.join(' ')).toContain('hockey');
    const outbox = await env.DB.prepare('SELECT status FROM outbox WHERE subscriber_id = 1').all<{
      status: string;
    }>();
    expect(outbox.results).toEqual([{ status: 'pending' }]);
  });
});
