/** Result of fetching a feed URL. */
export type FetchResult =
  | { status: 'ok'; body: string; etag: string | null; lastModified: string | null }
  | { status: 'not-modified' };

/** A fetch that failed; the message is meant for the operator ("HTTP 404", "timed out after 20 s"). */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(`ingest: ${message}`);
    this.name = 'FetchError';
  }
}

export interface FetchOptions {
  fetch: typeof fetch;
  etag?: string | null;
  lastModified?: string | null;
  userAgent: string;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Fetches a feed with a conditional GET, a total timeout and a body size cap. */
export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchResult> {
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new FetchError(`refused: ${protocol} URLs are not fetched`);
  const headers: Record<string, string> = {
    'user-agent': options.userAgent,
    accept:
      'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const timeoutMs = options.timeoutMs ?? 20_000;
  let res: Response;
  try {
    res = await options.fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError') throw new FetchError(`timed out after ${timeoutMs / 1000} s`);
    throw new FetchError(`could not connect: ${(err.cause as Error | undefined)?.message ?? err.message}`);
  }
  if (res.status === 304) return { status: 'not-modified' };
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new FetchError(
      `HTTP ${res.status}`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body?.cancel();
    throw new FetchError(`too large: more than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FetchError(`too large: more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return {
    status: 'ok',
    body: new TextDecoder().decode(bytes),
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
  };
}
