import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { suppressions } from '../../src/db/schema.ts';
import { addSubscriber } from '../../src/operator/subscribers.ts';
import { hashedSuppressionKey } from '../../src/store/subscribers.ts';
import { testDeps } from '../helpers/deps.ts';

describe('operator adds a subscriber', () => {
  let deps: Awaited<ReturnType<typeof testDeps>>;
  beforeEach(async () => {
    deps = await testDeps();
  });
  afterEach(() => deps.close());

  it('adds an address that is not suppressed, active at once', async () => {
    const row = await addSubscriber(deps, { email: 'New@Example.org' });
    expect(row).toMatchObject({ email: 'new@example.org', status: 'active' });
  });

  it('refuses an address on the suppression list, naming the reason', async () => {
    await deps.db.insert(suppressions).values({ email: 'bounced@example.org', reason: 'hard bounce' });
    await expect(addSubscriber(deps, { email: 'bounced@example.org' })).rejects.toThrow(
      /suppression list \(hard bounce\)/,
    );
  });

  it('refuses an address that unsubscribed and was erased (only its hash is kept)', async () => {
    await deps.db.insert(suppressions).values({
      email: await hashedSuppressionKey('gone@example.org'),
      reason: 'erased after unsubscribing',
    });
    await expect(addSubscriber(deps, { email: 'gone@example.org' })).rejects.toThrow(/asked to be erased/);
  });
});
