import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Source, Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { type Preferences, parsePreferences, preferencesSchema } from '../preferences/schema.ts';
import type { Topic } from '../rank/index.ts';
import { verifyLink } from '../security/signed-links.ts';
import { type SubscriberLinks, subscriberLinks } from '../security/subscriber-links.ts';
import { listFeedback } from '../store/feedback.ts';
import { listSources } from '../store/sources.ts';
import { getAccount, getSubscriber } from '../store/subscribers.ts';
import { listTopics } from '../store/topics.ts';
import {
  deleteSubscriber,
  resubscribe,
  revokeLinks,
  rotateFeedToken,
  unsubscribeSubscriber,
} from '../subscribers/account.ts';
import { InvalidInputError } from '../subscribers/errors.ts';
import { exportData } from '../subscribers/export-data.ts';
import { undoFeedback } from '../subscribers/feedback.ts';
import { describeChanges, feedbackRecord } from '../subscribers/feedback-change.ts';
import { localDate } from '../subscribers/local-date.ts';
import { type EditionPreview, previewEdition } from '../subscribers/preview.ts';
import { updatePreferences } from '../subscribers/update-preferences.ts';
import { forgetFeeds } from './feed-cache.ts';
import { Layout } from './layout.tsx';
import { type FormValues, updateFromValues, valuesFromBody, valuesFromState } from './preferences-form.ts';
import {
  type Account,
  currentAccount,
  currentSubscriber,
  endSession,
  forgetAccount,
  nonceOf,
  startSession,
} from './request.ts';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const CATALOGUE_TTL_MS = 5000;
const PAGE_CACHE_SIZE = 500;
/** Stands for the CSP nonce in cached HTML (base64 never contains '!'). */
const NONCE_SLOT = '!nonce!';
const encoder = new TextEncoder();
// The zone list is the same for everyone: rendered once into one string.
let zoneOptions: string | undefined;
const zoneDatalist = () =>
  (zoneOptions ??= Intl.supportedValuesOf('timeZone')
    .map((z) => `<option value="${z}"></option>`)
    .join(''));

const NOTICES: Record<string, string> = {
  welcome: 'Your subscription is confirmed. Tell Sift what you want to read below.',
  saved: 'Saved. The preview below shows what your next edition would contain now.',
  undone: 'Undone. The preview below reflects it.',
  rotated: 'Your feeds have a new address. The old one stopped working; update your feed reader.',
  revoked: 'Every older link and session stopped working. This browser stays signed in.',
  resubscribed: 'Welcome back: editions start again at your next delivery time.',
  unsubscribed: 'You are unsubscribed. Nothing more will be sent. You can subscribe again below.',
};

type FeedbackList = Awaited<ReturnType<typeof listFeedback>>;

/** The signed-in subscriber's page: preferences, preview, feeds, feedback history and data rights. */
export function preferencesRoutes(deps: Deps) {
  async function requireSubscriber(c: Context): Promise<Subscriber> {
    const me = await currentSubscriber(c, deps);
    if (!me) throw new SignInRequired();
    return me;
  }

  /**
   * The signed-in account and the posted preferences form, applied to the saved preferences:
   * the account read (fresh on a post) already carries them, so no second query.
   */
  async function postedForm(c: Context) {
    const account = await currentAccount(c, deps);
    if (!account) throw new SignInRequired();
    const values = valuesFromBody(await c.req.parseBody({ all: true }));
    return { account, values, parsed: updateFromValues(values, parsePreferences(account.prefs)) };
  }

  // The catalogue (sources, topics) changes rarely: read it at most every few seconds.
  // One refresh at a time, and page views keep using the previous catalogue meanwhile.
  // `version` goes up whenever what pages show of it changes, and keys the page cache.
  type Catalogue = { at: number; json: string; version: number; sources: Source[]; topics: Topic[] };
  let catalogue: Catalogue | undefined;
  let refreshing: Promise<Catalogue> | undefined;
  function readCatalogue(): Promise<Catalogue> {
    if (catalogue && Date.now() - catalogue.at < CATALOGUE_TTL_MS) return Promise.resolve(catalogue);
    refreshing ??= Promise.all([listSources(deps.db), listTopics(deps.db)])
      .then(([sources, topics]) => {
        const json = JSON.stringify([sources.map((x) => [x.id, x.title, x.url]), topics]);
        const version = (catalogue?.version ?? 0) + (catalogue?.json === json ? 0 : 1);
        catalogue = { at: Date.now(), json, version, sources, topics };
        return catalogue;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return catalogue ? Promise.resolve(catalogue) : refreshing;
  }
  // Every feedback click and undo rewrites the preferences, so their update time versions the list.
  const feedbackCache = new Map<string, Promise<FeedbackList>>();
  function feedbackOf(id: number, prefsUpdatedAt: number | null) {
    const key = `${id}|${prefsUpdatedAt}`;
    let list = feedbackCache.get(key);
    if (!list) {
      if (feedbackCache.size >= 1000) feedbackCache.clear();
      feedbackCache.set(key, (list = listFeedback(deps.db, id, 20)));
    }
    return list;
  }
  const pageCache = new Map<string, { preview: EditionPreview; parts: Promise<Uint8Array[]> }>();
  // The cached page is kept as UTF-8 bytes around the nonce slots: a hit copies bytes instead of
  // re-encoding 30 KB of text per request.
  function withNonce(c: Context, parts: Uint8Array[], nonce: string, status: 200 | 400) {
    const n = encoder.encode(nonce);
    let length = n.length * (parts.length - 1);
    for (const p of parts) length += p.length;
    const out = new Uint8Array(length);
    let at = 0;
    parts.forEach((p, i) => {
      if (i > 0) {
        out.set(n, at);
        at += n.length;
      }
      out.set(p, at);
      at += p.length;
    });
    return c.body(out, status, { 'Content-Type': 'text/html; charset=UTF-8' });
  }
  const linkCache = new Map<string, Promise<SubscriberLinks>>();
  function linksOf(me: Subscriber) {
    const key = `${me.id}.${me.tokenVersion}.${me.feedVersion}`;
    let links = linkCache.get(key);
    if (!links) {
      if (linkCache.size >= 1000) linkCache.clear();
      linkCache.set(key, (links = subscriberLinks(deps.config.baseUrl, deps.secret, me)));
    }
    return links;
  }

  async function renderPage(
    c: Context,
    me: Subscriber,
    opts: {
      values?: FormValues;
      errors?: Record<string, string>;
      status?: 400;
      account?: Account;
    } = {},
  ) {
    const account = opts.account ?? (await getAccount(deps.db, me.id));
    const prefs = parsePreferences(account?.prefs);
    const { sources, topics, version: catalogueVersion } = await readCatalogue();
    const [feedback, preview, links] = await Promise.all([
      feedbackOf(me.id, account?.prefsUpdatedAt ?? null),
      previewEdition(deps, me.id, prefs, account?.newestEditionId ?? null, topics),
      linksOf(me),
    ]);
    const nonce = nonceOf(c) ?? '';
    // A plain view depends only on these inputs, so its HTML is reused until one changes (the
    // page has a latency budget); the per-response CSP nonce is put in afterwards.
    const cacheable = !opts.values && !opts.errors && !!account;
    const key = cacheable
      ? `${JSON.stringify(me)}|${account.prefsUpdatedAt}|${catalogueVersion}|${c.req.query('done')}|${c.req.query('welcome')}|${Math.floor(deps.clock() / 60_000)}`
      : '';
    const hit = cacheable ? pageCache.get(key) : undefined;
    if (hit && hit.preview === preview) return withNonce(c, await hit.parts, nonce, opts.status ?? 200);
    const values = opts.values ?? valuesFromState(me, prefs, sources);
    const notice =
      NOTICES[c.req.query('done') ?? ''] ?? (c.req.query('welcome') ? NOTICES.welcome : undefined);
    const page = (
      <Layout title="Your preferences" nonce={cacheable ? NONCE_SLOT : nonce} signedIn>
        <h1>Your preferences</h1>
        <p class="muted">Signed in as {me.email}.</p>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <StatusBanner me={me} now={deps.clock()} />
        {opts.errors ? <ErrorSummary errors={opts.errors} /> : null}
        <div id="preview-live" aria-live="polite">
          <Preview preview={preview} prefs={prefs} />
        </div>
        <PreferencesForm values={values} errors={opts.errors ?? {}} topics={topics.map((t) => t.name)} />
        <FeedbackHistory feedback={feedback} />
        <h2 id="feeds">Your private feeds</h2>
        <p>
          The same picks as your emails, with reasons, for your feed reader. The address is secret: anyone who
          has it can read your picks.
        </p>
        <ul>
          <li>
            Atom: <code class="token">{links.feeds.atom}</code>
          </li>
          <li>
            RSS: <code class="token">{links.feeds.rss}</code>
          </li>
          <li>
            JSON Feed: <code class="token">{links.feeds.json}</code>
          </li>
        </ul>
        <form method="post" action="/preferences/feed/rotate">
          <button type="submit" class="secondary">
            Give my feeds a new address
          </button>
          <p class="hint">The current address stops working at once.</p>
        </form>
        <h2 id="data">Your data</h2>
        <p>
          <a href="/preferences/export.json" download="sift-my-data.json">
            Download my data
          </a>{' '}
          (JSON: profile, preferences, feedback and every edition we built for you).
        </p>
        <form method="post" action="/preferences/revoke">
          <button type="submit" class="secondary">
            Sign out everywhere and revoke old links
          </button>
          <p class="hint">Links in emails you already received stop working; new emails carry new links.</p>
        </form>
        {me.status !== 'unsubscribed' ? (
          <form method="post" action="/preferences/unsubscribe">
            <button type="submit" class="secondary">
              Unsubscribe
            </button>
          </form>
        ) : null}
        <form method="post" action="/preferences/delete" class="panel">
          <h3>Delete me</h3>
          <p>
            Erases your address, preferences, feedback, editions and delivery records now. This cannot be
            undone.
          </p>
          <label class="check">
            <input type="checkbox" name="confirm" value="yes" required /> I understand that everything is
            deleted
          </label>
          <button type="submit" class="danger">
            Delete my data
          </button>
        </form>
      </Layout>
    );
    if (!cacheable) return c.html(String(await page.toString()), opts.status ?? 200);
    // Stored before rendering finishes, so concurrent views of a changed page render it once.
    const parts = Promise.resolve(page.toString()).then((html) =>
      String(html)
        .split(NONCE_SLOT)
        .map((part) => encoder.encode(part)),
    );
    if (pageCache.size >= PAGE_CACHE_SIZE) pageCache.delete(pageCache.keys().next().value!);
    pageCache.set(key, { preview, parts });
    parts.catch(() => pageCache.delete(key));
    return withNonce(c, await parts, nonce, opts.status ?? 200);
  }

  return (
    new Hono()
      // The long-lived "manage" link in every email: signed for that purpose and the current
      // token version, so an unsubscribe or feed token cannot open it and a version bump revokes
      // it. It shows the page at once and starts a session for the forms on it.
      .get('/p/:token', async (c) => {
        const link = await verifyLink(deps.secret, 'manage', c.req.param('token'));
        const subscriber = link && (await getSubscriber(deps.db, link.subscriberId));
        if (!subscriber || subscriber.tokenVersion !== link.version)
          throw new NotFoundError('This link does not work any more. Ask for a sign-in link instead.');
        await startSession(c, deps, subscriber);
        c.header('Cache-Control', 'no-store');
        return renderPage(c, subscriber);
      })
      .get('/preferences', async (c) => {
        const account = await currentAccount(c, deps);
        if (!account) return c.redirect('/signin', 303);
        c.header('Cache-Control', 'no-store');
        return renderPage(c, account.subscriber, { account });
      })
      .post('/preferences', async (c) => {
        const { account, values, parsed } = await postedForm(c);
        const me = account.subscriber;
        if ('errors' in parsed)
          return renderPage(c, me, { values, errors: parsed.errors, status: 400, account });
        try {
          await updatePreferences(deps, me, parsed.update);
          forgetAccount(deps.db, me.id);
        } catch (e) {
          if (e instanceof InvalidInputError)
            return renderPage(c, me, { values, errors: e.fields, status: 400, account });
          throw e;
        }
        return c.redirect('/preferences?done=saved', 303);
      })
      // The live preview (progressive enhancement): the page's script posts the unsaved form
      // here as it changes and shows the returned fragment. Nothing is saved.
      .post('/preferences/preview', async (c) => {
        const { account, parsed } = await postedForm(c);
        const prefs = 'update' in parsed ? preferencesSchema.safeParse(parsed.update.prefs) : undefined;
        if (!prefs?.success)
          return c.html(
            <p class="panel" id="preview">
              The preview updates once the form is valid.
            </p>,
            422,
          );
        const { topics } = await readCatalogue();
        const preview = await previewEdition(deps, account.subscriber.id, prefs.data, undefined, topics);
        c.header('Cache-Control', 'no-store');
        return c.html(<Preview preview={preview} prefs={prefs.data} unsaved />);
      })
      .post('/preferences/feedback/:id{[0-9]+}/undo', async (c) => {
        const me = await requireSubscriber(c);
        await undoFeedback(deps, me, Number(c.req.param('id')));
        forgetAccount(deps.db, me.id);
        return c.redirect('/preferences?done=undone#feedback', 303);
      })
      .post('/preferences/feed/rotate', async (c) => {
        const me = await requireSubscriber(c);
        await rotateFeedToken(deps, me);
        forgetFeeds(deps.db, me.id);
        return c.redirect('/preferences?done=rotated#feeds', 303);
      })
      .post('/preferences/revoke', async (c) => {
        const me = await requireSubscriber(c);
        const updated = await revokeLinks(deps, me);
        forgetAccount(deps.db, me.id);
        await startSession(c, deps, updated);
        return c.redirect('/preferences?done=revoked', 303);
      })
      .post('/preferences/unsubscribe', async (c) => {
        const me = await requireSubscriber(c);
        await unsubscribeSubscriber(deps, me);
        return c.redirect('/preferences?done=unsubscribed', 303);
      })
      .post('/preferences/resubscribe', async (c) => {
        const me = await requireSubscriber(c);
        await resubscribe(deps, me);
        forgetAccount(deps.db, me.id);
        return c.redirect('/preferences?done=resubscribed', 303);
      })
      .get('/preferences/export.json', async (c) => {
        const me = await requireSubscriber(c);
        const data = await exportData(deps, me);
        c.header('Content-Disposition', 'attachment; filename="sift-my-data.json"');
        c.header('Cache-Control', 'no-store');
        return c.json(data);
      })
      .post('/preferences/delete', async (c) => {
        const me = await requireSubscriber(c);
        const body = await c.req.parseBody();
        if (body.confirm !== 'yes')
          return renderPage(c, me, {
            errors: { confirm: 'Tick "I understand" to delete your data.' },
            status: 400,
          });
        await deleteSubscriber(deps, me);
        forgetFeeds(deps.db, me.id);
        endSession(c, deps);
        return c.html(
          <Layout title="Deleted" nonce={nonceOf(c)}>
            <h1>Your data is deleted</h1>
            <p role="status">
              We erased {me.email}, its preferences, feedback, editions and delivery records. Links in old
              emails no longer work.
            </p>
            <p>
              <a href="/">Subscribe again</a> whenever you like.
            </p>
          </Layout>,
        );
      })
  );
}

/** Thrown when a form needs a session and there is none; app.tsx answers 401 with a sign-in link. */
export class SignInRequired extends AppError {
  constructor() {
    super('unauthorized', 'Your session has ended. Sign in again to continue.');
  }
}

function StatusBanner(props: { me: Subscriber; now: number }) {
  const { me } = props;
  if (me.status === 'unsubscribed')
    return (
      <form method="post" action="/preferences/resubscribe" class="alert">
        <p>You are unsubscribed: no editions are sent. Your feeds keep working.</p>
        <button type="submit">Subscribe again</button>
      </form>
    );
  const notes: string[] = [];
  if (me.pausedUntil !== null && me.pausedUntil > props.now)
    notes.push(`Paused: editions resume on ${localDate(me.pausedUntil, me.timezone)}.`);
  if (!me.emailEnabled) notes.push('Email is off: your editions go to your private feeds only.');
  return notes.length ? (
    <div class="notice" role="status">
      {notes.map((n) => (
        <p>{n}</p>
      ))}
    </div>
  ) : null;
}

const LABELS: Record<string, string> = {
  interests: 'Interests',
  newInterest: 'New interest',
  topics: 'Topics',
  mutes: 'Mutes',
  followedSources: 'Sources',
  mutedSources: 'Sources',
  frequency: 'Frequency',
  weekday: 'Day of the week',
  time: 'Delivery time',
  timezone: 'Time zone',
  maxItems: 'Items per edition',
  pausedUntil: 'Pause until',
  confirm: 'Delete me',
};

function ErrorSummary(props: { errors: Record<string, string> }) {
  return (
    <div class="alert" role="alert" aria-labelledby="error-title">
      <h2 id="error-title">Nothing was saved</h2>
      <ul>
        {Object.entries(props.errors).map(([k, msg]) => (
          <li>
            <a href={`#f-${k}`}>{LABELS[k] ?? k}</a>: {msg}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Preview(props: { preview: EditionPreview; prefs: Preferences; unsaved?: boolean }) {
  const { preview } = props;
  return (
    <section class="panel" aria-labelledby="preview-title" id="preview">
      <h2 id="preview-title">Your next edition, if it were picked now</h2>
      {props.unsaved ? (
        <p class="hint" data-testid="unsaved">
          Preview of your changes. They are not saved yet: press "Save preferences" to keep them.
        </p>
      ) : null}
      {preview.picks.length === 0 ? (
        <p>
          Nothing qualifies right now.{' '}
          {props.prefs.interests.length === 0 && props.prefs.topics.length === 0
            ? 'Add an interest or a topic below.'
            : 'Broaden your interests, or wait for new stories.'}
        </p>
      ) : (
        <ol class="picks">
          {preview.picks.map((p) => (
            <li>
              {p.url ? <a href={p.url}>{p.title}</a> : p.title} <span class="muted">({p.source})</span>
              <ul class="reasons">
                {p.reasons.map((r) => (
                  <li>{r}</li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
      {preview.hiddenByMutes > 0 ? (
        <details>
          <summary>
            <span data-testid="hidden-count">{preview.hiddenByMutes}</span> hidden by your mutes
          </summary>
          <ul>
            {preview.hiddenExamples.map((t) => (
              <li>{t}</li>
            ))}
          </ul>
        </details>
      ) : (
        <p class="muted">Nothing hidden by your mutes.</p>
      )}
    </section>
  );
}

function FieldError(props: { errors: Record<string, string>; name: string }) {
  const msg = props.errors[props.name];
  return msg ? (
    <p class="error" id={`e-${props.name}`}>
      {msg}
    </p>
  ) : null;
}

const described = (errors: Record<string, string>, name: string) =>
  errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `e-${name}` } : {};

function PreferencesForm(props: { values: FormValues; errors: Record<string, string>; topics: string[] }) {
  const { values: v, errors } = props;
  const topicChoices = [...new Set([...props.topics, ...v.topics])];
  return (
    <form method="post" action="/preferences" novalidate data-live-preview>
      <fieldset id="f-interests">
        <legend>Interests</legend>
        <p class="hint">
          Words or phrases you want. A higher weight counts more; a negative weight pushes matching stories
          down.
        </p>
        <FieldError errors={errors} name="interests" />
        {v.interests.length === 0 ? (
          <p class="muted">No interests yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Interest</th>
                <th scope="col">Weight (−5 to 5)</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {v.interests.map((i, n) => (
                <tr>
                  <td>
                    <input type="hidden" name="interest.term" value={i.term} />
                    {i.term}
                  </td>
                  <td>
                    <input
                      class="narrow"
                      type="number"
                      name="interest.weight"
                      min="-5"
                      max="5"
                      step="0.5"
                      value={i.weight}
                      aria-label={`Weight of ${i.term}`}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      name="interest.remove"
                      value={String(n)}
                      aria-label={`Remove ${i.term}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <label for="f-newInterest">Add an interest</label>
        <input
          id="f-newInterest"
          name="newInterest"
          type="text"
          value={v.newInterest}
          placeholder="e.g. climate policy"
          {...described(errors, 'newInterest')}
        />
        <FieldError errors={errors} name="newInterest" />
        <label for="f-newWeight">Its weight</label>
        <input
          id="f-newWeight"
          class="narrow"
          name="newWeight"
          type="number"
          min="-5"
          max="5"
          step="0.5"
          value={v.newWeight}
        />
      </fieldset>

      <fieldset id="f-topics">
        <legend>Topics</legend>
        {topicChoices.length === 0 ? (
          <p class="muted">This site has no topic catalogue yet.</p>
        ) : (
          topicChoices.map((t) => (
            <label class="check">
              <input type="checkbox" name="topics" value={t} checked={v.topics.includes(t)} /> {t}
            </label>
          ))
        )}
        <FieldError errors={errors} name="topics" />
      </fieldset>

      <fieldset>
        <legend>Mutes</legend>
        <label for="f-mutes">Hide stories that mention (one word or phrase per line)</label>
        <textarea id="f-mutes" name="mutes" rows={4} {...described(errors, 'mutes')}>
          {v.mutes}
        </textarea>
        <FieldError errors={errors} name="mutes" />
      </fieldset>

      <fieldset id="f-followedSources">
        <legend>Sources</legend>
        <FieldError errors={errors} name="followedSources" />
        <FieldError errors={errors} name="mutedSources" />
        {v.sources.length === 0 ? (
          <p class="muted">No sources yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Normal</th>
                <th scope="col">Follow</th>
                <th scope="col">Mute</th>
              </tr>
            </thead>
            <tbody>
              {v.sources.map((s, n) => (
                <tr>
                  <td>
                    <input type="hidden" name="source.ref" value={s.ref} />
                    {s.label}
                  </td>
                  {(['normal', 'follow', 'mute'] as const).map((mode) => (
                    <td>
                      <input
                        type="radio"
                        name={`source.mode.${n}`}
                        value={mode}
                        checked={s.mode === mode}
                        aria-label={`${mode === 'normal' ? 'Normal' : mode === 'follow' ? 'Follow' : 'Mute'}: ${s.label}`}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="hint">Followed sources get a boost; muted sources are never picked.</p>
      </fieldset>

      <fieldset>
        <legend>Delivery</legend>
        <label for="f-frequency">How often</label>
        <select id="f-frequency" name="frequency" {...described(errors, 'frequency')}>
          <option value="daily" selected={v.frequency === 'daily'}>
            Daily
          </option>
          <option value="weekly" selected={v.frequency === 'weekly'}>
            Weekly
          </option>
        </select>
        <FieldError errors={errors} name="frequency" />
        <div id="weekday-field">
          <label for="f-weekday">Day (for weekly editions)</label>
          <select id="f-weekday" name="weekday" {...described(errors, 'weekday')}>
            {WEEKDAYS.map((d, i) => (
              <option value={String(i + 1)} selected={v.weekday === String(i + 1)}>
                {d}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="weekday" />
        </div>
        <label for="f-time">Local delivery time</label>
        <input id="f-time" name="time" type="time" value={v.time} required {...described(errors, 'time')} />
        <FieldError errors={errors} name="time" />
        <label for="f-timezone">Time zone</label>
        <input
          id="f-timezone"
          name="timezone"
          type="text"
          list="zones"
          value={v.timezone}
          autocomplete="off"
          spellcheck={false}
          {...described(errors, 'timezone')}
        />
        <datalist id="zones" dangerouslySetInnerHTML={{ __html: zoneDatalist() }} />
        <button type="button" class="secondary" data-tz-target="f-timezone" hidden>
          Use this browser's time zone
        </button>
        <FieldError errors={errors} name="timezone" />
        <label for="f-maxItems">Items per edition</label>
        <input
          id="f-maxItems"
          class="narrow"
          name="maxItems"
          type="number"
          min="1"
          max="50"
          value={v.maxItems}
          {...described(errors, 'maxItems')}
        />
        <FieldError errors={errors} name="maxItems" />
        <label class="check">
          <input type="checkbox" name="emailEnabled" checked={v.emailEnabled} /> Send editions by email (off:
          feeds only)
        </label>
        <label for="f-pausedUntil">Pause until (empty: not paused)</label>
        <input
          id="f-pausedUntil"
          name="pausedUntil"
          type="date"
          value={v.pausedUntil}
          {...described(errors, 'pausedUntil')}
        />
        <FieldError errors={errors} name="pausedUntil" />
      </fieldset>
      <p>
        <button type="submit">Save preferences</button>
      </p>
    </form>
  );
}

function FeedbackHistory(props: { feedback: FeedbackList }) {
  return (
    <section aria-labelledby="feedback-title">
      <h2 id="feedback-title">
        <span id="feedback">"More / less like this"</span>
      </h2>
      {props.feedback.length === 0 ? (
        <p class="muted">
          Nothing yet. Each story in your emails has "more like this" and "less like this" links; what they
          change shows here, and you can undo it.
        </p>
      ) : (
        <ul>
          {props.feedback.map(({ feedback: f, itemTitle }) => {
            const changes = describeChanges(feedbackRecord(f.change).changes);
            return (
              <li>
                {f.direction === 'more' ? 'More' : 'Less'} like "{itemTitle ?? 'a removed story'}": {changes}.{' '}
                {f.undoneAt !== null ? (
                  <span class="muted">(undone)</span>
                ) : (
                  <form method="post" action={`/preferences/feedback/${f.id}/undo`} class="inline">
                    <button type="submit" class="link">
                      Undo
                    </button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
