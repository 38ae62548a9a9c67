import {
  applyD1Migrations,
  createExecutionContext,
  createMessageBatch,
  type D1Migration,
  env,
  getQueueResult,
} from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker, { type Env as WorkerEnv, workerDeps } from '../../src/entry/worker.ts';
import { editionsJob } from '../../src/jobs/run-cycle.ts';
import { consumeSendBatch, enqueueDueSends, type SendMessage } from '../../src/jobs/send-queue.ts';
import { memoryMailer } from '../helpers/memory-mailer.ts';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

const PREFS =
  '{"interests":[{"term":"hockey","weight":1}],"topics":[],"mutes":[],"followedSources":[],"mutedSources":[],"maxItems":10,"perSourceCap":3,"freshnessHours":72}';

/** Seeds `n` subscribers due now (UTC, 00:00) and two hockey stories; returns their ids. */
async function seed(prefix: string, n: number): Promise<number[]> {
  const now = Date.now();
  const source = await env.DB.prepare(
    "INSERT INTO sources (url, kind, title, next_check_at, paused) VALUES (?, 'http', 'News', ?, 1) RETURNING id",
  )
    .bind(`https://news.test/${prefix}.rss`, now + 3_600_000)
    .first<{ id: number }>();
  const statements = [0, 1].map((i) =>
    env.DB.prepare(
      "INSERT INTO items (source_id, key, url, title, summary, categories, fetched_at) VALUES (?, ?, ?, 'Hockey night: the home team wins', 'A hockey story', '[]', ?)",
    ).bind(source!.id, `${prefix}-${i}`, `https://news.test/${prefix}/${i}`, now),
  );
  await env.DB.batch(statements);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = await env.DB.prepare(
      "INSERT INTO subscribers (email, status, timezone, delivery_hour, delivery_minute) VALUES (?, 'active', 'UTC', 0, 0) RETURNING id",
    )
      .bind(`${prefix}-${i}@example.com`)
      .first<{ id: number }>();
    await env.DB.prepare('INSERT INTO preferences (subscriber_id, data) VALUES (?, ?)')
      .bind(row!.id, PREFS)
      .run();
    ids.push(row!.id);
  }
  return ids;
}

/** A queue that keeps what the producer sent. */
function capturingQueue() {
  const sent: SendMessage[] = [];
  return {
    sent,
    async sendBatch(messages: Iterable<{ body: SendMessage }>) {
      for (const m of messages) sent.push(m.body);
    },
  };
}

const asMessages = (bodies: SendMessage[]) =>
  bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body }));

async function outboxOf(ids: number[]) {
  const rows = await env.DB.prepare(
    `SELECT subscriber_id, status, attempts FROM outbox WHERE subscriber_id IN (${ids.join(',')}) ORDER BY subscriber_id`,
  ).all<{ subscriber_id: number; status: string; attempts: number }>();
  return rows.results;
}

describe('sends through Cloudflare Queues, in workerd with local D1', () => {
  beforeAll(async () => {
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  });

  it('plans on D1 with batched inserts, enqueues each due row once, and the consumer sends each once', async () => {
    const ids = await seed('fanout', 3);
    const deps = workerDeps(env);
    expect(await editionsJob(deps)).toMatchObject({ built: 3 });
    expect(await editionsJob(deps)).toMatchObject({ built: 0 });

    // Producer: one message per due row; a second tick does not enqueue them again.
    const queue = capturingQueue();
    expect(await enqueueDueSends(deps, queue)).toBe(3);
    expect(await enqueueDueSends(deps, queue)).toBe(0);
    expect(queue.sent).toHaveLength(3);

    // Consumer: a batch that also carries a duplicate of the first message.
    const mailer = memoryMailer();
    const batch = createMessageBatch<SendMessage>('sift-send', asMessages([...queue.sent, queue.sent[0]!]));
    const stats = await consumeSendBatch({ ...deps, mailer }, batch.messages);
    expect(stats).toMatchObject({ sent: 3, skipped: 0 });
    expect(mailer.sent.map((m) => m.to).sort()).toEqual([
      'fanout-0@example.com',
      'fanout-1@example.com',
      'fanout-2@example.com',
    ]);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(result.retryMessages).toEqual([]);
    expect((await outboxOf(ids)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);

    // The queue delivers the batch again (at-least-once): nothing is sent twice.
    const again = createMessageBatch<SendMessage>('sift-send', asMessages(queue.sent));
    expect(await consumeSendBatch({ ...deps, mailer }, again.messages)).toMatchObject({
      sent: 0,
      skipped: 3,
    });
    expect(mailer.sent).toHaveLength(3);
    expect((await getQueueResult(again, createExecutionContext())).explicitAcks).toHaveLength(3);
  });

  it("runs the Worker's queue handler: without a transport the row waits, retried later, never lost", async () => {
    const ids = await seed('no-transport', 1);
    const deps = workerDeps(env);
    await editionsJob(deps);
    const queue = capturingQueue();
    await enqueueDueSends(deps, queue);
    const mine = queue.sent.filter((m) => m.outboxId > 0);
    const batch = createMessageBatch<SendMessage>('sift-send', asMessages(mine));
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toHaveLength(mine.length);
    expect(await outboxOf(ids)).toEqual([{ subscriber_id: ids[0], status: 'pending', attempts: 1 }]);
  });

  it('round-trips through the real local queue: the cron produces, the Worker consumes, the row is attempted once', async () => {
    const ids = await seed('local-queue', 1);
    const deps = workerDeps(env);
    await editionsJob(deps);
    expect(await enqueueDueSends(deps, env.SEND_QUEUE!)).toBe(1);
    // Miniflare delivers the batch to this Worker's queue() after max_batch_timeout (5 s).
    let rows = await outboxOf(ids);
    for (let i = 0; i < 100 && rows[0]!.attempts === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rows = await outboxOf(ids);
    }
    // No transport in this test Worker: attempted once, back to pending for a later retry.
    expect(rows).toEqual([{ subscriber_id: ids[0], status: 'pending', attempts: 1 }]);
    expect(await enqueueDueSends(deps, env.SEND_QUEUE!)).toBe(0);
  });

  it('acknowledges and drops a malformed message instead of retrying it forever', async () => {
    const batch = createMessageBatch('sift-send', [
      { id: 'bad', timestamp: new Date(), attempts: 1, body: { nope: true } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as never, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(['bad']);
  });
});
