import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { SESSION_COOKIE, SESSION_TTL_MS, signSession, verifySession } from '../security/session.ts';
import { getSubscriber } from '../store/subscribers.ts';

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
  // @hono/node-server puts the IncomingMessage on env.incoming; duck-typed so Workers never load node types.
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  if (incoming) return incoming.socket?.remoteAddress ?? 'unknown';
  // On Workers, Cloudflare sets this header itself (clients cannot forge it there).
  return c.req.header('cf-connecting-ip') ?? 'unknown';
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

/** The signed-in subscriber, or null (no cookie, forged, expired, or revoked by a version bump). */
export async function currentSubscriber(
  c: Context,
  deps: Pick<Deps, 'db' | 'secret' | 'clock'>,
): Promise<Subscriber | null> {
  const value = getCookie(c, SESSION_COOKIE);
  if (!value) return null;
  const session = await verifySession(deps.secret, value, deps.clock());
  if (!session) return null;
  const subscriber = await getSubscriber(deps.db, session.subscriberId);
  return subscriber && subscriber.tokenVersion === session.version ? subscriber : null;
}
