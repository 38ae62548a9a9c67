/**
 * The subscriber's whole journey in real headless Chromium against the real app on
 * 127.0.0.1, with confirmation and sign-in emails delivered over SMTP to a real SMTP server
 * (smtp-server) and parsed with mailparser. Each page is checked with axe-core (no serious or
 * critical violations), the CSP must not block anything, and screenshots go to artifacts/web/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { suppressions } from '../../src/db/schema.ts';
import { createSmtpMailer } from '../../src/deliver/smtp-mailer.ts';
import { subscriberLinks } from '../../src/security/subscriber-links.ts';
import { getPreferences, getSubscriberByEmail } from '../../src/store/subscribers.ts';
import { launchChromium } from '../helpers/browser.ts';
import { fakeClock, testDeps } from '../helpers/deps.ts';
import { seedItems } from '../web/helpers.ts';

const ARTIFACTS = new URL('../../artifacts/web/', import.meta.url).pathname;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const EMAIL = 'journey@example.com';

let browser: Browser;
let page: Page;
let base: string;
let deps: Awaited<ReturnType<typeof testDeps>>;
let clock: ReturnType<typeof fakeClock>;
const inbox: ParsedMail[] = [];
const cspViolations: string[] = [];
const stops: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream).then((mail) => {
        inbox.push(mail);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const smtpPort = (
    (smtp as unknown as { server: import('node:net').Server }).server.address() as AddressInfo
  ).port;
  stops.push(() => new Promise((r) => smtp.close(() => r(undefined))));

  let app: ReturnType<typeof createApp> | undefined;
  const server = serve({ fetch: (req, env) => app!.fetch(req, env), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stops.push(() => new Promise((r) => server.close(() => r(undefined))));

  clock = fakeClock(Date.UTC(2026, 10, 24, 9, 0));
  const mailer = createSmtpMailer(`smtp://127.0.0.1:${smtpPort}`);
  deps = await testDeps({
    clock,
    mailer,
    env: { SIFT_BASE_URL: base, SIFT_MAIL_FROM: 'Sift <sift@example.org>' },
  });
  stops.push(
    () => mailer.close?.(),
    () => deps.close(),
  );
  await seedItems(deps, clock());
  app = createApp(deps);

  browser = await launchChromium();
  const context = await browser.newContext({ timezoneId: 'Europe/Paris', acceptDownloads: true });
  page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  for (const stop of stops.reverse()) await stop();
});

/** Waits for the next email to `to` whose subject matches, and returns the link it carries. */
async function mailedLink(subject: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const mail = inbox.find(
      (m) => subject.test(m.subject ?? '') && m.to && JSON.stringify(m.to).includes(EMAIL),
    );
    if (mail) {
      inbox.splice(inbox.indexOf(mail), 1);
      const link = new RegExp(`${base}/(?:confirm|signin)/[A-Za-z0-9_-]+`).exec(mail.text ?? '')?.[0];
      if (!link) throw new Error(`no link in "${mail.subject}"`);
      return link;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no email matching ${subject}`);
}

/** Runs axe-core in the page and returns the serious and critical violations. */
async function axe(name: string) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
  // evaluate runs through DevTools, so the page's CSP (rightly) does not block the injected engine.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
      }
    ).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe('a subscriber’s journey in Chromium', () => {
  it('signs up, confirms from the email, and lands on the preferences page with the browser’s zone', async () => {
    await page.goto(`${base}/`);
    expect(await axe('01-landing')).toEqual([]);
    await page.getByLabel('Your email address').fill(EMAIL);
    await page.getByLabel('What do you want to read about?').fill('hockey');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect(await axe('02-check-inbox')).toEqual([]);
    const confirm = await mailedLink(/confirm/i);
    expect(inbox).toHaveLength(0);
    await page.goto(confirm);
    expect(await axe('03-confirm')).toEqual([]);
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.waitForURL(/\/preferences\?welcome=1$/);
    expect(await page.getByRole('status').first().textContent()).toContain('confirmed');
    const s = await getSubscriberByEmail(deps.db, EMAIL);
    expect(s?.status).toBe('active');
    expect(s?.timezone).toBe('Europe/Paris');
    expect(await axe('04-preferences')).toEqual([]);
  });

  it('signs out, then signs in again with an emailed link', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${base}/`);
    clock.advance(11 * 60_000); // a known address gets at most one email per ten minutes
    await page.goto(`${base}/signin`);
    expect(await axe('05-signin')).toEqual([]);
    await page.getByLabel('Your email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const link = await mailedLink(/sign-in/i);
    await page.goto(link);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/preferences`);
    await page.getByRole('heading', { name: 'Your preferences' }).waitFor();
  });

  it('edits preferences and watches the preview change', async () => {
    const preview = page.locator('#preview');
    expect(await preview.textContent()).toContain('NHL playoffs');
    expect(await preview.textContent()).not.toContain('Climate policy talks');
    // With the page script, the preview follows the form before anything is saved.
    await page.getByLabel('Add an interest').fill('climate policy');
    await page.getByTestId('unsaved').waitFor();
    expect(await preview.textContent()).toContain('Climate policy talks resume in Bonn');
    expect(await getPreferences(deps.db, (await getSubscriberByEmail(deps.db, EMAIL))!.id)).toMatchObject({
      interests: [{ term: 'hockey', weight: 1 }],
    });
    await page.getByLabel('Hide stories that mention').fill('football');
    await page.getByLabel('Local delivery time').fill('06:45');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.waitForURL(/done=saved/);
    expect(await preview.textContent()).toContain('Climate policy talks resume in Bonn');
    expect(await preview.textContent()).toMatch(/\d+ hidden by your mutes/);
    const prefs = await getPreferences(deps.db, (await getSubscriberByEmail(deps.db, EMAIL))!.id);
    expect(prefs?.interests.map((i) => i.term)).toEqual(['hockey', 'climate policy']);
    expect(prefs?.mutes).toEqual(['football']);
    expect((await getSubscriberByEmail(deps.db, EMAIL))?.deliveryMinute).toBe(45);
    // A bad zone is refused with a message next to the field, and nothing is saved.
    await page.getByLabel('Time zone').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor();
    expect(await axe('06-preferences-error')).toEqual([]);
    expect((await getSubscriberByEmail(deps.db, EMAIL))?.timezone).toBe('Europe/Paris');
    await page.goto(`${base}/preferences`);
    expect(await axe('07-preferences-saved')).toEqual([]);
  });

  it('follows "less like this" from an email, sees the change on the page, and undoes it', async () => {
    const s = (await getSubscriberByEmail(deps.db, EMAIL))!;
    const links = await subscriberLinks(base, deps.secret, s);
    await page.goto(links.feedback(1, 'less'));
    expect(await axe('08-feedback-confirm')).toEqual([]);
    await page.getByRole('button', { name: 'Yes, less like this' }).click();
    await page.getByRole('heading', { name: 'Noted' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain("added 'playoffs' at −0.5");
    await page.getByRole('link', { name: 'Undo it on your preferences page' }).click();
    const history = page.locator('section', { has: page.locator('#feedback') });
    expect(await history.textContent()).toContain('Less like "NHL playoffs: hockey night ends in overtime"');
    await history.getByRole('button', { name: 'Undo' }).click();
    await page.waitForURL(/done=undone/);
    expect(await history.textContent()).toContain('(undone)');
    expect((await getPreferences(deps.db, s.id))?.interests.map((i) => i.term)).toEqual([
      'hockey',
      'climate policy',
    ]);
  });

  it('rotates the feed address: the old one answers 404 at once', async () => {
    const old = (await page.locator('code', { hasText: '.atom' }).textContent())!;
    expect((await fetch(old)).status).toBe(200);
    await page.getByRole('button', { name: 'Give my feeds a new address' }).click();
    await page.waitForURL(/done=rotated/);
    const fresh = (await page.locator('code', { hasText: '.atom' }).textContent())!;
    expect(fresh).not.toBe(old);
    expect((await fetch(old)).status).toBe(404);
    const res = await fetch(fresh);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
  });

  it('downloads its data as JSON', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download my data' }).click(),
    ]);
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(data.profile.email).toBe(EMAIL);
    expect(data.preferences.mutes).toEqual(['football']);
    expect(data.feedback).toHaveLength(1);
  });

  it('unsubscribes with one button, then deletes everything', async () => {
    const s = (await getSubscriberByEmail(deps.db, EMAIL))!;
    const links = await subscriberLinks(base, deps.secret, s);
    await page.goto(links.unsubscribe);
    expect(await axe('09-unsubscribe')).toEqual([]);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    expect((await getSubscriberByEmail(deps.db, EMAIL))?.status).toBe('unsubscribed');
    await page.goto(`${base}/preferences`);
    await page.getByRole('button', { name: 'Subscribe again' }).waitFor();
    await page.getByLabel('I understand that everything is deleted').check();
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await page.getByRole('heading', { name: 'Your data is deleted' }).waitFor();
    expect(await axe('10-deleted')).toEqual([]);
    expect(await getSubscriberByEmail(deps.db, EMAIL)).toBeUndefined();
    const kept = await deps.db.select().from(suppressions).all();
    expect(kept.map((k) => k.email)).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    await page.goto(`${base}/preferences`);
    await page.waitForURL(`${base}/signin`);
  });

  it('the CSP blocked nothing (the nonce script ran) and only the confirmation and sign-in emails were sent', () => {
    expect(cspViolations).toEqual([]);
    expect(inbox).toEqual([]);
  });
});
