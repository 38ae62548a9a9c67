import { describe, expect, it } from 'vitest';
import { tokens } from '../../src/db/schema.ts';
import { parsePreferences } from '../../src/preferences/schema.ts';
import { createSubscriber } from '../../src/store/subscribers.ts';
import { consumeToken, issueToken } from '../../src/store/tokens.ts';
import { testDeps } from '../helpers/deps.ts';

const MINUTE = 60_000;

describe('single-use tokens', () => {
  it('keeps only live tokens: issuing one drops those that expired, and a live one still works once', async () => {
    const deps = await testDeps();
    try {
      const { id } = await createSubscriber(deps.db, { email: 'tok@example.com' }, parsePreferences({}));
      const t0 = Date.UTC(2026, 10, 24, 9, 0);
      const old = await issueToken(deps.db, id, 'signin', t0 + 30 * MINUTE, t0);
      const live = await issueToken(deps.db, id, 'signin', t0 + 90 * MINUTE, t0 + 60 * MINUTE);
      // The first expired at t0 + 30 min, before the second was issued: it is gone.
      expect(await deps.db.select().from(tokens).all()).toHaveLength(1);
      expect(await consumeToken(deps.db, old, 'signin', t0 + 61 * MINUTE)).toBeUndefined();
      expect(await consumeToken(deps.db, live, 'signin', t0 + 61 * MINUTE)).toBe(id);
      expect(await consumeToken(deps.db, live, 'signin', t0 + 62 * MINUTE)).toBeUndefined();
    } finally {
      deps.close();
    }
  });
});
