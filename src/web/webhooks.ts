import { Hono } from 'hono';
import { z } from 'zod';
import { suppressAddress } from '../deliver/suppression.ts';
import type { Deps } from '../deps.ts';

/** Svix (which signs Resend's webhooks) rejects deliveries older or newer than five minutes. */
const TOLERANCE_MS = 5 * 60_000;

const enc = new TextEncoder();

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = enc.encode(a);
  const y = enc.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The Svix signature of a webhook body: base64 HMAC-SHA256 of `id.timestamp.body`. */
export async function svixSignature(
  secret: string,
  id: string,
  timestamp: string,
  body: string,
): Promise<string> {
  const keyBytes = secret.startsWith('whsec_') ? base64ToBytes(secret.slice(6)) : enc.encode(secret);
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, enc.encode(`${id}.${timestamp}.${body}`));
  return bytesToBase64(new Uint8Array(mac));
}

/** Checks Svix headers; returns an error message, or null when the body is authentic and fresh. */
export async function verifySvix(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  now: number,
): Promise<string | null> {
  if (!headers.id || !headers.timestamp || !headers.signature)
    return 'missing svix-id, svix-timestamp or svix-signature header';
  const ts = Number(headers.timestamp) * 1000;
  if (!Number.isFinite(ts) || Math.abs(now - ts) > TOLERANCE_MS) return 'timestamp too old or in the future';
  const expected = await svixSignature(secret, headers.id, headers.timestamp, body);
  // The header lists space-separated "v1,<base64>" signatures (several during key rotation).
  const ok = headers.signature
    .split(' ')
    .some((s) => s.startsWith('v1,') && timingSafeEqual(s.slice(3), expected));
  return ok ? null : 'signature does not match';
}

const resendEvent = z.object({
  type: z.string(),
  data: z
    .object({
      to: z.union([z.string(), z.array(z.string())]).optional(),
      bounce: z.object({ type: z.string().optional(), message: z.string().optional() }).optional(),
    })
    .passthrough(),
});

const genericEvent = z.object({
  type: z.enum(['bounce', 'complaint']),
  email: z.string().email(),
  /** Bounces only: false for a soft bounce (full mailbox…), which does not suppress. Default true. */
  permanent: z.boolean().default(true),
  detail: z.string().max(500).optional(),
});
const genericBody = z.union([genericEvent, z.object({ events: z.array(genericEvent).min(1).max(1000) })]);

/**
 * Bounce and complaint webhooks → the suppression list (complaints and hard bounces suppress at
 * once; soft bounces are only logged). Both need SIFT_WEBHOOK_SECRET:
 * - POST /webhooks/resend: Resend's events, authenticated by their Svix signature;
 * - POST /webhooks/mail: a generic JSON form for any provider or script, with
 *   `Authorization: Bearer <secret>` and `{"type":"bounce"|"complaint","email":…}` or `{"events":[…]}`.
 */
export function webhookRoutes(deps: Deps) {
  const app = new Hono();
  const secret = deps.config.SIFT_WEBHOOK_SECRET;
  const disabled = { error: 'webhooks are off: set SIFT_WEBHOOK_SECRET to enable them' };

  const suppress = async (email: string, kind: 'bounce' | 'complaint', detail: string) => {
    const added = await suppressAddress(deps.db, email, kind, detail, deps.clock());
    deps.log.info('deliver: address suppressed by webhook', { kind, added });
    return added;
  };

  app.post('/webhooks/resend', async (c) => {
    if (!secret) return c.json(disabled, 503);
    const body = await c.req.text();
    const problem = await verifySvix(
      secret,
      {
        id: c.req.header('svix-id'),
        timestamp: c.req.header('svix-timestamp'),
        signature: c.req.header('svix-signature'),
      },
      body,
      deps.clock(),
    );
    if (problem) return c.json({ error: `webhook rejected: ${problem}` }, 401);
    let parsed: z.infer<typeof resendEvent>;
    try {
      parsed = resendEvent.parse(JSON.parse(body));
    } catch {
      return c.json(
        { error: 'expected a Resend event: {"type": "email.bounced", "data": {"to": [...]}}' },
        400,
      );
    }
    const to = parsed.data.to === undefined ? [] : ([] as string[]).concat(parsed.data.to);
    let suppressed = 0;
    if (parsed.type === 'email.complained') {
      for (const email of to) if (await suppress(email, 'complaint', 'resend: marked as spam')) suppressed++;
    } else if (parsed.type === 'email.bounced') {
      // Resend sends email.bounced for permanent rejections; a "Transient" type is only logged.
      if (parsed.data.bounce?.type?.toLowerCase() === 'transient') {
        deps.log.info('deliver: soft bounce ignored', { type: parsed.type });
        return c.json({ suppressed: 0, ignored: to.length });
      }
      const detail = `resend: ${parsed.data.bounce?.message ?? 'bounced'}`;
      for (const email of to) if (await suppress(email, 'bounce', detail)) suppressed++;
    } else return c.json({ suppressed: 0, ignored: 1 });
    return c.json({ suppressed, ignored: 0 });
  });

  app.post('/webhooks/mail', async (c) => {
    if (!secret) return c.json(disabled, 503);
    const auth = c.req.header('authorization') ?? '';
    if (!auth.startsWith('Bearer ') || !timingSafeEqual(auth.slice(7), secret))
      return c.json({ error: 'webhook rejected: expected Authorization: Bearer <SIFT_WEBHOOK_SECRET>' }, 401);
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return c.json({ error: 'the body must be JSON' }, 400);
    }
    const parsed = genericBody.safeParse(json);
    if (!parsed.success)
      return c.json(
        {
          error:
            'expected {"type": "bounce"|"complaint", "email": "…", "permanent"?: boolean, "detail"?: "…"} or {"events": [ … ]}',
          issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
        },
        400,
      );
    const events = 'events' in parsed.data ? parsed.data.events : [parsed.data];
    let suppressed = 0;
    let ignored = 0;
    for (const e of events) {
      if (e.type === 'bounce' && !e.permanent) {
        ignored++;
        continue;
      }
      if (await suppress(e.email, e.type, e.detail ?? `${e.type} reported by webhook`)) suppressed++;
      else ignored++;
    }
    return c.json({ suppressed, ignored });
  });
  return app;
}
