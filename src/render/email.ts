import { templates } from './compiled/templates.ts';
import {
  bytesToString,
  type FillData,
  type FillValue,
  fillBytes,
  htmlBytes,
  MemoKey,
  memoInputs,
  memoKey,
  type PreparedTemplate,
  prepareTemplate,
} from './slots.ts';
import type { EditionView, PickView } from './view.ts';

/** A rendered email body, before transport headers are added. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** Picks shown in this email (fewer than the edition's when the size budget dropped some). */
  picksShown?: number;
}

/**
 * Gmail clips messages above about 102 KB; staying at 90 KB of HTML leaves room for headers
 * and the text part. Picks are dropped from the end to fit; the footer (with unsubscribe) stays.
 */
export const MAX_HTML_BYTES = 90 * 1024;

const SUMMARY_CHARS = 320;
const TITLE_CHARS = 200;

/** The interest or topic a ranker reason names ("matches your interest 'hockey'" → hockey). */
function namedInterest(reason: string): string | null {
  let at = reason.indexOf("interest '");
  if (at >= 0) at += 10;
  else {
    at = reason.indexOf("topic '");
    if (at < 0) return null;
    at += 7;
  }
  const end = reason.indexOf("'", at);
  return end > at ? reason.slice(at, end) : null;
}

// Bounded caches, so a long-running process never grows without limit.
const CACHE_LIMIT = 50_000;

const COVERED = 'also covered by ';
const NO_REASON = 'recent item that passed your filters';
const NO_REASON_BYTES = htmlBytes(NO_REASON);
const REASON_SEPARATOR = ' · ';

/**
 * What an email shows of one ranker reason. Reasons come from a small vocabulary shared by many
 * subscribers, so each distinct text is parsed and encoded once, and so is each reasons line:
 * a pick's line is found by following its reasons one by one (`line`, then `next`), never by
 * joining the texts into a new string and hashing that.
 */
interface Reason {
  /** The interest or topic it names, for the subject line. */
  interest: string | null;
  /** For "also covered by …" (shown on its own line instead): the rest, as text and for the card. */
  covered: { text: string; html: FillValue } | null;
  /** The reasons line that starts with this reason. */
  line: ReasonLine;
}
interface ReasonLine {
  text: string;
  /** Escaped, encoded, for the card. */
  bytes: Uint8Array;
  /** This line with one more reason after it. */
  next: Map<Reason, ReasonLine> | null;
}
const reasons = new Map<string, Reason>();
let reasonLines = 0;

function reasonOf(text: string): Reason {
  let r = reasons.get(text);
  if (r === undefined) {
    // Lines hang off their reasons: starting over drops both.
    if (reasonLines >= CACHE_LIMIT) {
      reasons.clear();
      reasonLines = 0;
    }
    const rest = text.startsWith(COVERED) ? text.slice(COVERED.length) : null;
    r = {
      interest: namedInterest(text),
      covered: rest === null ? null : { text: rest, html: rest && htmlBytes(rest) },
      line: newLine(text),
    };
    reasons.set(text, r);
  }
  return r;
}

function newLine(text: string): ReasonLine {
  reasonLines++;
  return { text, bytes: htmlBytes(text), next: null };
}

function extendLine(line: ReasonLine, r: Reason): ReasonLine {
  line.next ??= new Map();
  let longer = line.next.get(r);
  if (longer === undefined) {
    longer = newLine(line.text + REASON_SEPARATOR + r.line.text);
    line.next.set(r, longer);
  }
  return longer;
}

/** The distinct interests reasons name, in order: a subject line shows two and counts the rest. */
class Interests {
  private first: string | null = null;
  private second: string | null = null;
  private more: string[] | null = null;

  add(m: string | null): void {
    if (m === null || m === this.first || m === this.second || this.more?.includes(m)) return;
    if (this.first === null) this.first = m;
    else if (this.second === null) this.second = m;
    else (this.more ??= []).push(m);
  }

  /** "7 picks: hockey, golf and 2 more". */
  subject(picks: number): string {
    const head = `${picks} ${picks === 1 ? 'pick' : 'picks'}`;
    if (this.first === null) return `${head} for you`;
    if (this.second === null) return `${head}: ${this.first}`;
    if (this.more === null) return `${head}: ${this.first} and ${this.second}`;
    return `${head}: ${this.first}, ${this.second} and ${this.more.length} more`;
  }
}

/** "7 picks: hockey, golf and 2 more": the subject names what the subscriber asked for. */
export function subjectLine(view: Pick<EditionView, 'picks'>): string {
  const named = new Interests();
  for (const p of view.picks) for (const text of p.reasons) named.add(reasonOf(text).interest);
  return named.subject(view.picks.length);
}

/** The preheader (inbox preview line): the first titles. */
export function preheaderLine(view: Pick<EditionView, 'picks'>): string {
  const picks = view.picks;
  let line = picks.length > 0 ? picks[0]!.title : '';
  for (let i = 1; i < 3 && i < picks.length; i++) line += ` · ${picks[i]!.title}`;
  return truncate(line, 140);
}

const labels = new Map<string, string>();
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "Tuesday 24 November 2026" for a daily key, "Week 48, 2026" for a weekly one. */
export function dateLabel(editionKey: string): string {
  let label = labels.get(editionKey);
  if (label === undefined) {
    label = formatKey(editionKey);
    if (labels.size >= 1_000) labels.clear();
    labels.set(editionKey, label);
  }
  return label;
}

// Written out by hand: the same words on every runtime, whatever its ICU data.
function formatKey(editionKey: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(editionKey);
  if (day) {
    const date = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (!Number.isNaN(date.getTime()) && date.getUTCDate() === Number(day[3]))
      return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(editionKey);
  if (week) return `Week ${Number(week[2])}, ${week[1]}`;
  return editionKey;
}

/** Shortens text at a word boundary, with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max - 2);
  // Trailing spaces and punctuation go, tested one character at a time from the end: a
  // `[…]+$` regex would try every position of the text (this runs for every preheader).
  let end = space > max * 0.6 ? space : max - 1;
  while (end > 0 && TRAILING.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}…`;
}
const TRAILING = /[\s,.;:–—-]/;

/**
 * A pick as the email shows it: reasons without the coverage note, which gets its own line.
 * (digestData runs the same loop inline: it runs for every pick of every email, and a shared
 * function returning both parts measured 1–2% slower there.)
 */
export function pickDisplay(p: PickView): { reasons: string; alsoCoveredBy: string } {
  let line: ReasonLine | null = null;
  let covered = '';
  for (const text of p.reasons) {
    const r = reasonOf(text);
    if (r.covered !== null) covered = r.covered.text;
    else line = line === null ? r.line : extendLine(line, r);
  }
  if (p.alsoCoveredBy && p.alsoCoveredBy.length > 0) covered = p.alsoCoveredBy.join(', ');
  return { reasons: line?.text ?? NO_REASON, alsoCoveredBy: covered };
}

/**
 * What a card shows of an item, shared by every subscriber who gets it: the item's values as
 * given (to notice a change), shortened for display, and the memo key its card parts are cached
 * under. A changed item gets a new key, so bytes filled from old values are never reused.
 */
class ItemEntry extends MemoKey {
  title = '';
  url = '';
  source = '';
  summary = '';
  shownTitle = '';
  shownSummary = '';
}
const items = new Map<number, ItemEntry>();
// Each entry ends up holding its card's bytes (~3.5 KB): 10,000 items stay under ~40 MB, more
// than an edition run shares; past that the cache starts over (slower, never wrong).
const ITEM_LIMIT = 10_000;

/** The values the template's memo blocks may read: all item-level, the same for every subscriber. */
const ITEM_VALUES = new Set(['itemId', 'source', 'url', 'title', 'summary']);

/** The card entry for a pick with a URL (one per item while it stays the same). */
function itemEntry(p: PickView & { url: string }): ItemEntry {
  const e = items.get(p.itemId);
  if (
    e !== undefined &&
    e.title === p.title &&
    e.url === p.url &&
    e.source === p.source &&
    e.summary === p.summary
  )
    return e;
  // The entry is its own memo key: a card's values and its cached bytes sit on one object.
  const fresh = memoKey(String(p.itemId), (length) => new ItemEntry(length));
  fresh.title = p.title;
  fresh.url = p.url;
  fresh.source = p.source;
  fresh.summary = p.summary;
  fresh.shownTitle = truncate(p.title, TITLE_CHARS);
  fresh.shownSummary = shownSummary(p.summary);
  if (items.size >= ITEM_LIMIT) items.clear();
  items.set(p.itemId, fresh);
  return fresh;
}

function shownSummary(summary: string): string {
  return summary ? truncate(summary, SUMMARY_CHARS) : '';
}

const texts = new Map<string, Uint8Array>();

/** Escaped, encoded bytes of a text that recurs across emails (bounded cache). */
function textBytes(text: string): Uint8Array {
  let bytes = texts.get(text);
  if (bytes === undefined) {
    bytes = htmlBytes(text);
    if (texts.size >= CACHE_LIMIT) texts.clear();
    texts.set(text, bytes);
  }
  return bytes;
}

let digestPrepared: PreparedTemplate | undefined;

function pluralise(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const intros = new Map<number, Uint8Array>();

/** The date label as bytes: the same for a whole edition run (both lookups are cached). */
function dateBytes(editionKey: string): Uint8Array {
  return textBytes(dateLabel(editionKey));
}

/** "10 picks from 5 sources, …" as bytes: a handful of variants, each encoded once. */
function introBytes(picks: number, sources: number): Uint8Array {
  const key = picks * 100_000 + sources;
  let bytes = intros.get(key);
  if (bytes === undefined) {
    bytes = htmlBytes(
      `${pluralise(picks, 'pick')} from ${pluralise(sources, 'source')}, chosen by what you told Sift. Each one says why.`,
    );
    if (intros.size >= 1_000) intros.clear();
    intros.set(key, bytes);
  }
  return bytes;
}

/** How many distinct sources the picks come from. */
function sourceCount(picks: PickView[]): number {
  if (picks.length > 32) return new Set(picks.map((p) => p.source)).size;
  let n = 0;
  for (let i = 0; i < picks.length; i++) {
    const s = picks[i]!.source;
    let seen = false;
    for (let j = 0; j < i && !seen; j++) seen = picks[j]!.source === s;
    if (!seen) n++;
  }
  return n;
}

/** The values the digest template is filled with, for these picks (the same data feeds the MJML reference). */
export function digestFillData(view: EditionView, picks: PickView[], subject?: string): FillData {
  return digestData(view, picks, subject).data;
}

/**
 * The digest's fill data and subject line. Without a subject, the line is made here
 * (`subjectLine`), in the same pass over the reasons when the picks are all of the view's.
 */
function digestData(
  view: EditionView,
  picks: PickView[],
  subject: string | undefined,
): { data: FillData; subject: string } {
  const dropped = view.picks.length - picks.length;
  const feedUrl = view.links.feeds.atom;
  const named = subject === undefined && picks === view.picks ? new Interests() : null;
  // Item-level values sit in the template's memo blocks, keyed by the item's MemoKey: card parts
  // filled for one subscriber are reused for the next. Only reasons and coverage are per pick.
  const cards: FillData[] = new Array(picks.length);
  for (let i = 0; i < picks.length; i++) {
    const p = picks[i]!;
    // Without its own URL a card links to the subscriber's feed: not shareable, so its id is
    // plain bytes, not a MemoKey: its memo blocks are filled for this email and keep nothing.
    const e = p.url === null ? null : itemEntry(p as PickView & { url: string });
    let line: ReasonLine | null = null;
    let covered: FillValue = '';
    for (const text of p.reasons) {
      const r = reasonOf(text);
      named?.add(r.interest);
      if (r.covered !== null) covered = r.covered.html;
      else line = line === null ? r.line : extendLine(line, r);
    }
    if (p.alsoCoveredBy && p.alsoCoveredBy.length > 0) covered = textBytes(p.alsoCoveredBy.join(', '));
    cards[i] = {
      itemId: e ?? htmlBytes(String(p.itemId)),
      source: p.source,
      url: e === null ? feedUrl : e.url,
      title: e === null ? truncate(p.title, TITLE_CHARS) : e.shownTitle,
      summary: e === null ? shownSummary(p.summary) : e.shownSummary,
      reasons: line === null ? NO_REASON_BYTES : line.bytes,
      alsoCoveredBy: covered,
    };
  }
  const line = subject ?? named?.subject(picks.length) ?? subjectLine(view);
  // Written more than once per email: encoded once.
  const subjectHtml = htmlBytes(line);
  const data: FillData = {
    subject: subjectHtml,
    preheader: preheaderLine(view),
    dateLabel: dateBytes(view.editionKey),
    heading: subjectHtml,
    intro: introBytes(view.picks.length, sourceCount(view.picks)),
    email: view.email,
    preferencesUrl: view.links.preferences,
    feedUrl,
    unsubscribeUrl: view.links.unsubscribe,
    // Written twice per card (`…/f/TOKEN` + `/ITEM/more|less`): encoded once per email.
    feedbackBase: htmlBytes(view.links.feedbackBase),
    dropped:
      dropped > 0
        ? `${pluralise(dropped, 'more pick')} did not fit in this email (mail clients cut long messages).`
        : '',
    picks: cards,
  };
  return { data, subject: line };
}

/** The digest template, prepared once; its memo blocks may only read item-level values. */
export function digestTemplate(): PreparedTemplate {
  if (digestPrepared) return digestPrepared;
  const tpl = prepareTemplate('digest', templates.digest);
  for (const name of memoInputs(tpl))
    if (!ITEM_VALUES.has(name))
      throw new Error(`render: the digest's memo blocks may read item values only, not '${name}'`);
  digestPrepared = tpl;
  return tpl;
}

/**
 * The digest's HTML as bytes, from the compiled template: picks are dropped from the end until
 * it fits `maxBytes` (the footer with the unsubscribe link always stays). This is the
 * per-subscriber fill the send path runs; no MJML involved. Also gives the subject line. The
 * bytes are valid until the next fill (see `fillBytes`).
 */
export function fillDigestHtml(
  view: EditionView,
  maxBytes = MAX_HTML_BYTES,
  subject?: string,
): { bytes: Uint8Array; picksShown: number; subject: string } {
  const tpl = digestTemplate();
  const { data, subject: line } = digestData(view, view.picks, subject);
  const all = fillBytes(tpl, data);
  if (all.length <= maxBytes) return { bytes: all, picksShown: view.picks.length, subject: line };
  // Over budget (rare): binary search for the most picks that fit (lo always fits, or is 0),
  // then fill that many once more, since each fill writes over the bytes of the one before.
  const fill = (shown: number) => fillBytes(tpl, digestFillData(view, view.picks.slice(0, shown), line));
  let lo = 0;
  let hi = view.picks.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fill(mid).length <= maxBytes) lo = mid;
    else hi = mid;
  }
  return { bytes: fill(lo), picksShown: lo, subject: line };
}

/** Renders the digest email (HTML from the compiled MJML, and its plain-text twin). */
export function renderDigest(view: EditionView, options: { maxHtmlBytes?: number } = {}): RenderedEmail {
  const { bytes, picksShown, subject } = fillDigestHtml(view, options.maxHtmlBytes);
  return {
    subject,
    html: bytesToString(bytes),
    text: renderDigestText(view, subject, picksShown),
    picksShown,
  };
}

/** The plain-text part: the same picks and the same links as the HTML. */
export function renderDigestText(
  view: EditionView,
  subject = subjectLine(view),
  picksShown = view.picks.length,
): string {
  const lines = [subject, dateLabel(view.editionKey), ''];
  view.picks.slice(0, picksShown).forEach((p, i) => {
    const shown = pickDisplay(p);
    lines.push(`${i + 1}. ${truncate(p.title, TITLE_CHARS)}`, `   ${p.source}`);
    lines.push(`   ${p.url ?? view.links.feeds.atom}`);
    if (p.summary) lines.push(`   ${truncate(p.summary, SUMMARY_CHARS)}`);
    lines.push(`   Why: ${shown.reasons}`);
    if (shown.alsoCoveredBy) lines.push(`   Also covered by ${shown.alsoCoveredBy}`);
    lines.push(
      `   More like this: ${view.links.feedback(p.itemId, 'more')}`,
      `   Less like this: ${view.links.feedback(p.itemId, 'less')}`,
      '',
    );
  });
  const dropped = view.picks.length - picksShown;
  if (dropped > 0)
    lines.push(`${pluralise(dropped, 'more pick')} did not fit in this email: read them in your feed.`, '');
  lines.push(
    '--',
    `You get this email because ${view.email} subscribed to Sift and said what to pick.`,
    `Manage preferences: ${view.links.preferences}`,
    `Your private feed: ${view.links.feeds.atom}`,
    `Unsubscribe: ${view.links.unsubscribe}`,
    '',
  );
  return lines.join('\n');
}
