import { Hono } from 'hono';
import type { Deps } from '../deps.ts';

/** Bounce and complaint webhooks from mail providers. Placeholder until the email issue lands. */
export function webhookRoutes(_deps: Deps) {
  return new Hono();
}
