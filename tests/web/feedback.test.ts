import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signLink } from '../../src/security/signed-links.ts';
import { subscriberLinks } from '../../src/security/subscriber-links.ts';
import { getPreferences, getSubscriber } from '../../src/store/subscribers.ts';
import { activeSubscriber, cookieOf, seedItems, world } from './helpers.ts';

let w: Awaited<ReturnType<typeof world>>;
let id: number;
let more: string;
let less: string;
beforeEach(async () => {
  w = await world();
  await seedItems(w.deps, w.clock());
  const s = await activeSubscriber(w.deps, 'reader@example.com', { interests: ['hockey'] });
  id = s.id;
  const links = await subscriberLinks('', w.deps.secret, s);
  more = links.feedback(5, 'more'); // "Football transfer window closes", category Football
  less = links.feedback(1, 'less'); // "NHL playoffs…", category Hockey
});
afterEach(() => w.deps.close());

describe('"more / less like this" from an email', () => {
  it('GET shows a confirmation page and changes nothing (mail scanners open every link)', async () => {
    const res = await w.get(more);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Football transfer window closes');
    expect(html).toContain('<form method="post">');
    expect((await getPreferences(w.deps.db, id))?.interests).toEqual([{ term: 'hockey', weight: 1 }]);
  });

  it('the POST applies it; repeating it changes nothing more', async () => {
    expect((await w.post(more)).status).toBe(200);
    expect((await getPreferences(w.deps.db, id))?.interests).toEqual([
      { term: 'hockey', weight: 1 },
      { term: 'football', weight: 0.5 },
      { term: 'transfer', weight: 0.5 },
      { term: 'window', weight: 0.5 },
    ]);
    const again = await w.post(more);
    expect(await again.text()).toContain('already said so');
    expect((await getPreferences(w.deps.db, id))?.interests).toHaveLength(4);
    // "Less" never lowers an interest the subscriber typed (hockey stays at 1).
    expect((await w.post(less)).status).toBe(200);
    const interests = (await getPreferences(w.deps.db, id))?.interests;
    expect(interests?.[0]).toEqual({ term: 'hockey', weight: 1 });
    expect(interests).toContainEqual({ term: 'playoffs', weight: -0.5 });
  });

  it('shows on the preferences page and can be undone there', async () => {
    await w.post(more);
    await w.post(less);
    const cookie = cookieOf(await w.get(`/p/${await signLink(w.deps.secret, 'manage', id, 1)}`));
    const html = await (await w.get('/preferences', { cookie })).text();
    expect(html).toContain('Football transfer window closes');
    expect(html).toContain('added &#39;football&#39; at 0.5');
    expect(html).toContain('added &#39;playoffs&#39; at −0.5');
    const undo = [...html.matchAll(/action="(\/preferences\/feedback\/\d+\/undo)"/g)].map((m) => m[1]!);
    expect(undo).toHaveLength(2);
    for (const path of undo) expect((await w.post(path, {}, { cookie })).status).toBe(303);
    expect((await getPreferences(w.deps.db, id))?.interests).toEqual([{ term: 'hockey', weight: 1 }]);
    expect(await (await w.get('/preferences', { cookie })).text()).toContain('(undone)');
    // Undoing twice is harmless.
    expect((await w.post(undo[0]!, {}, { cookie })).status).toBe(303);
    expect((await getPreferences(w.deps.db, id))?.interests).toEqual([{ term: 'hockey', weight: 1 }]);
  });

  it('refuses a cross-site POST (403), a forged or other-purpose token (404), and a revoked one (404)', async () => {
    expect((await w.post(more, {}, { origin: 'https://evil.example' })).status).toBe(403);
    const manage = await signLink(w.deps.secret, 'manage', id, 1);
    expect((await w.post(`/f/${manage}/5/more`)).status).toBe(404);
    expect((await w.post(`/f/${id}.1.AAAAAAAAAAAAAAAAAAAAAA/5/more`)).status).toBe(404);
    expect((await w.get('/f/x/5/sideways')).status).toBe(404);
    expect((await w.post(more.replace('/5/', '/999/'))).status).toBe(404);
    const cookie = cookieOf(await w.get(`/p/${manage}`));
    await w.post('/preferences/revoke', {}, { cookie });
    expect((await getSubscriber(w.deps.db, id))?.tokenVersion).toBe(2);
    expect((await w.post(more)).status).toBe(404);
    expect((await getPreferences(w.deps.db, id))?.interests).toEqual([{ term: 'hockey', weight: 1 }]);
  });
});
