import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { parse as parseCookies } from 'hono/utils/cookie';
import type { Db } from '../db/client.ts';
import type { Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import {
  SESSION_COOKIE,
  SESSION_TTL_MS,
  type Session,
  signSession,
  verifySession,
} from '../security/session.ts';
import { getAccount } from '../store/subscribers.ts';

/** The parts of Node's IncomingMessage read here. */
interface NodeIncoming {
  headers?: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

/**
 * The IncomingMessage @hono/node-server puts on env.incoming, or undefined (Workers, tests):
 * duck-typed so Workers never load node types.
 */
function nodeIncoming(c: Context): NodeIncoming | undefined {
  return (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
}

/**
 * The client's IP for rate limits: the configured proxy header (first entry of a list such as
 * X-Forwarded-For), else Cloudflare's header on Workers, else the Node socket address.
 */
export function clientIp(c: Context, deps: Pick<Deps, 'config'>): string {
  const header = deps.config.SIFT_CLIENT_IP_HEADER;
  if (header) {
    const value = c.req.header(header)?.split(',')[0]?.trim();
    if (value) return value;
  }
  const incoming = nodeIncoming(c);
  if (incoming) return incoming.socket?.remoteAddress ?? 'unknown';
  // On Workers, Cloudflare sets this header itself (clients cannot forge it there).
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}

/**
 * A request header, read from Node's IncomingMessage when there is one: asking the Fetch
 * Request for its headers makes @hono/node-server build a full Request, which costs more than
 * a page view served from remembered state. Elsewhere (Workers, tests) the Request's own headers.
 */
export function rawHeader(c: Context, name: string): string | undefined {
  const incoming = nodeIncoming(c);
  if (incoming?.headers) {
    const v = incoming.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }
  return c.req.raw.headers.get(name) ?? undefined;
}

/** The CSP nonce secureHeaders made for this response. */
export function nonceOf(c: Context): string | undefined {
  return (c.get as (key: string) => string | undefined)('secureHeadersNonce');
}

/**
 * Runs work after the response (mail sends), so timing never tells whether an address is
 * known: Workers keep it alive with waitUntil; on Node the promise simply continues.
 */
export function runInBackground(c: Context, deps: Pick<Deps, 'log'>, work: Promise<unknown>): void {
  const guarded = work.catch((error) => deps.log.error('web: background task failed', { error }));
  try {
    c.executionCtx.waitUntil(guarded);
  } catch {
    // No execution context (Node, tests): the promise runs on by itself.
  }
}

/** Starts a session for a subscriber: HttpOnly, SameSite=Lax, Secure when served over https. */
export async function startSession(
  c: Context,
  deps: Pick<Deps, 'config' | 'secret' | 'clock'>,
  s: Subscriber,
) {
  const value = await signSession(deps.secret, {
    subscriberId: s.id,
    version: s.tokenVersion,
    expiresAt: deps.clock() + SESSION_TTL_MS,
  });
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: deps.config.baseUrl.startsWith('https://'),
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

/** Ends the session cookie. */
export function endSession(c: Context, deps: Pick<Deps, 'config'>) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: deps.config.baseUrl.startsWith('https://') });
}

/** A signed-in subscriber with what their pages read first. */
export type Account = NonNullable<Awaited<ReturnType<typeof getAccount>>> & { subscriber: Subscriber };

// Verified session values per secret, so a page view costs no HMAC (the database check still runs).
const verifiedBySecret = new Map<string, Map<string, Session>>();

/**
 * The signed-in account, or null (no cookie, forged, expired, or revoked by a version bump:
 * the version is compared with the database on every request).
 */
export async function currentAccount(
  c: Context,
  deps: Pick<Deps, 'db' | 'secret' | 'clock'>,
): Promise<Account | null> {
  // The raw header, not hono's getCookie: on Node that spares building a full Request.
  const header = rawHeader(c, 'cookie');
  const value = header ? parseCookies(header, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
  if (!value) return null;
  const now = deps.clock();
  let verified = verifiedBySecret.get(deps.secret);
  if (!verified) verifiedBySecret.set(deps.secret, (verified = new Map()));
  let session = verified.get(value);
  if (!session) {
    session = (await verifySession(deps.secret, value, now)) ?? undefined;
    if (!session) return null;
    if (verified.size >= 5000) verified.clear();
    verified.set(value, session);
  }
  if (session.expiresAt <= now) return null;
  const account = await readAccount(deps.db, session.subscriberId, c.req.method !== 'GET');
  return account && account.subscriber.tokenVersion === session.version ? account : null;
}

/**
 * How long a page view may reuse an account read by an earlier one. Every change made through
 * Sift's own routes forgets the account at once (forgetAccount); changes made by another process
 * show within this time. Form posts always read the database.
 */
export const ACCOUNT_RECHECK_MS = 1000;
const accounts = new WeakMap<Db, Map<number, { at: number; account: Promise<Account | undefined> }>>();

async function readAccount(db: Db, id: number, fresh: boolean): Promise<Account | undefined> {
  let cache = accounts.get(db);
  if (!cache) accounts.set(db, (cache = new Map()));
  const hit = cache.get(id);
  if (!fresh && hit && Date.now() - hit.at < ACCOUNT_RECHECK_MS) return hit.account;
  const account = getAccount(db, id) as Promise<Account | undefined>;
  if (cache.size >= 5000) cache.clear();
  cache.set(id, { at: Date.now(), account });
  account.catch(() => cache.delete(id));
  return account;
}

/** Drops every remembered account of a database: after any form post, whatever it changed. */
export function forgetAccounts(db: Db): void {
  accounts.get(db)?.clear();
}

/** Drops a remembered account after a change (preferences, versions, status, deletion). */
export function forgetAccount(db: Db, id: number): void {
  accounts.get(db)?.delete(id);
}

/** The signed-in subscriber, or null. */
export async function currentSubscriber(
  c: Context,
  deps: Pick<Deps, 'db' | 'secret' | 'clock'>,
): Promise<Subscriber | null> {
  return (await currentAccount(c, deps))?.subscriber ?? null;
}
