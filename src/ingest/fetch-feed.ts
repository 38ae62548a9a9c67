// Fetcher: one conditional GET of a feed URL with every hop checked, a total deadline and a body
// cap. Runtime-neutral: it takes any `fetch` (the guarded undici fetch on Node, the platform's on
// Workers), follows redirects itself so each hop is checked, and never trusts Content-Length alone.
import { checkUrl, type HostAllowList, RefusedError } from './address-policy.ts';

/** Defaults from issue 3: 20 s in total, 10 MiB after decompression, 5 redirects. */
export const FETCH_DEFAULTS = { timeoutMs: 20_000, maxBytes: 10 * 1024 * 1024, maxRedirects: 5 };

/** Result of fetching a feed URL. */
export type FetchResult =
  | {
      status: 'ok';
      bytes: Uint8Array;
      contentType: string | null;
      /** The URL after redirects: relative links resolve against it. */
      finalUrl: string;
      /** Set when every redirect was permanent (301/308): the feed has moved there. */
      movedTo: string | null;
      etag: string | null;
      lastModified: string | null;
      /** Cache-Control max-age: the publisher asks us not to check more often than this. */
      maxAgeMs: number | null;
    }
  | { status: 'not-modified'; finalUrl: string; movedTo: string | null; maxAgeMs: number | null };

/** A fetch that failed; the message is meant for the operator ("HTTP 404", "timed out after 20 s"). */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly details: {
      /** From Retry-After on 429/503. */
      retryAfterMs?: number;
      /** HTTP status, when the server answered. */
      status?: number;
      /** Retrying will not help (410 Gone, refused address): pause the source. */
      permanent?: boolean;
    } = {},
  ) {
    super(`ingest: ${message}`);
    this.name = 'FetchError';
  }
  /** Shortcut for details.retryAfterMs. */
  get retryAfterMs() {
    return this.details.retryAfterMs;
  }
}

/** Options of one fetch. Limits default to FETCH_DEFAULTS; tests pass short ones. */
export interface FetchOptions {
  fetch: typeof fetch;
  userAgent: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Operator-allowed private hosts (SIFT_ALLOW_PRIVATE_HOSTS). */
  allowPrivateHosts?: HostAllowList;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Clock for Retry-After dates. */
  now?: number;
}

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.8, application/json;q=0.7, */*;q=0.5';

/** Fetches a feed with a conditional GET, checked redirects, a total timeout and a body size cap. */
export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchResult> {
  const timeoutMs = options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? FETCH_DEFAULTS.maxBytes;
  const maxRedirects = options.maxRedirects ?? FETCH_DEFAULTS.maxRedirects;
  const allow = options.allowPrivateHosts ?? [];
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new FetchError(`timed out after ${seconds(timeoutMs)}`));
  }, timeoutMs);
  const headers: Record<string, string> = { 'user-agent': options.userAgent, accept: ACCEPT };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  try {
    let current = checked(url, allow);
    let permanent = true;
    const moved = (hop: number) => (hop > 0 && permanent ? current.href : null);
    for (let hop = 0; ; hop++) {
      let res: Response;
      try {
        res = await options.fetch(current.href, { headers, redirect: 'manual', signal: controller.signal });
      } catch (e) {
        // A kept-alive connection the server closed just as it was reused: one retry (GET is idempotent).
        if (timedOut || !isStaleConnection(e)) throw networkError(e, timedOut, timeoutMs, current);
        try {
          res = await options.fetch(current.href, { headers, redirect: 'manual', signal: controller.signal });
        } catch (again) {
          throw networkError(again, timedOut, timeoutMs, current);
        }
      }
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        await discard(res);
        const location = res.headers.get('location');
        if (!location) throw new FetchError(`HTTP ${res.status} redirect without a Location header`);
        if (hop >= maxRedirects) throw new FetchError(`too many redirects (more than ${maxRedirects})`);
        if (res.status !== 301 && res.status !== 308) permanent = false;
        current = checked(new URL(location, current).href, allow);
        continue;
      }
      const maxAgeMs = parseMaxAge(res.headers.get('cache-control'));
      if (res.status === 304) {
        await discard(res);
        return { status: 'not-modified', finalUrl: current.href, movedTo: moved(hop), maxAgeMs };
      }
      if (!res.ok) {
        await discard(res);
        throw httpError(res, options.now ?? Date.now());
      }
      const declared = Number(res.headers.get('content-length') ?? Number.NaN);
      if (declared > maxBytes) {
        await discard(res);
        throw new FetchError(
          `too large: ${formatBytes(declared)} declared, the limit is ${formatBytes(maxBytes)}`,
        );
      }
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(res, maxBytes);
      } catch (e) {
        if (e instanceof FetchError) throw e;
        throw networkError(e, timedOut, timeoutMs, current);
      }
      return {
        status: 'ok',
        bytes,
        contentType: res.headers.get('content-type'),
        finalUrl: current.href,
        movedTo: moved(hop),
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
        maxAgeMs,
      };
    }
  } finally {
    clearTimeout(timer);
  }
}

function checked(url: string, allow: HostAllowList): URL {
  try {
    return checkUrl(url, allow);
  } catch (e) {
    if (e instanceof RefusedError) throw new FetchError(e.message, { permanent: true });
    throw e;
  }
}

/** Reads the (already decompressed) body, stopping as soon as it passes the cap: bounded memory. */
async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new FetchError(`too large: more than ${formatBytes(maxBytes)} (after decompression)`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

async function discard(res: Response) {
  await res.body?.cancel().catch(() => {});
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized (the feed needs a login)',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone (the publisher removed this feed)',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function httpError(res: Response, now: number): FetchError {
  const retryAfterMs =
    res.status === 429 || res.status === 503
      ? parseRetryAfter(res.headers.get('retry-after'), now)
      : undefined;
  const text = STATUS_TEXT[res.status];
  const wait = retryAfterMs !== undefined ? `, retry after ${seconds(retryAfterMs)}` : '';
  return new FetchError(`HTTP ${res.status}${text ? ` ${text}` : ''}${wait}`, {
    status: res.status,
    retryAfterMs,
    permanent: res.status === 410,
  });
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Cache-Control max-age in ms, or null. `no-cache`/`no-store` say nothing about polling. */
export function parseMaxAge(value: string | null): number | null {
  const m = value ? /(?:^|[,\s])max-age\s*=\s*"?(\d+)/i.exec(value) : null;
  return m ? Number(m[1]) * 1000 : null;
}

function isStaleConnection(e: unknown): boolean {
  for (let err = e as { code?: string; cause?: unknown } | undefined, depth = 0; err && depth < 6; depth++) {
    if (err.code === 'ECONNRESET' || err.code === 'UND_ERR_SOCKET' || err.code === 'EPIPE') return true;
    err = err.cause as typeof err;
  }
  return false;
}

/** Turns a thrown fetch error into one line for the operator. */
function networkError(e: unknown, timedOut: boolean, timeoutMs: number, url: URL): FetchError {
  if (e instanceof FetchError) return e;
  if (timedOut) return new FetchError(`timed out after ${seconds(timeoutMs)}`);
  const chain: { code?: string; message?: string; name?: string }[] = [];
  for (let err = e as (Error & { cause?: unknown; code?: string }) | undefined; err && chain.length < 6; ) {
    chain.push(err);
    if (err instanceof RefusedError) return new FetchError(err.message, { permanent: true });
    if (err instanceof FetchError) return err;
    err = err.cause as typeof err;
  }
  for (const err of chain) {
    const known = err.code ? NETWORK_CODES[err.code] : undefined;
    if (known) return new FetchError(known);
  }
  const deepest = chain[chain.length - 1];
  // The Fetch standard blocks ports of non-web protocols (SMTP, IRC, …).
  if (deepest?.message === 'bad port')
    return new FetchError(`refused: port ${url.port} is not a web port`, { permanent: true });
  return new FetchError(`could not fetch: ${deepest?.message ?? String(e)}`);
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'DNS: host not found',
  EAI_AGAIN: 'DNS: lookup failed temporarily',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'the server closed the connection',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the body',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  CERT_NOT_YET_VALID: 'TLS certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain contains a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate chain is incomplete',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate issuer is unknown',
  CERT_REVOKED: 'TLS certificate was revoked',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is this an http:// site?)',
  Z_DATA_ERROR: 'the compressed body is corrupt',
  Z_BUF_ERROR: 'the compressed body is truncated',
};

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** "10 MiB", "512 KiB", "37 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
