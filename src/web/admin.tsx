import { Hono } from 'hono';
import type { Deps } from '../deps.ts';

/** Operator API (/api/admin) and dashboard (/admin). Placeholder until the operator issue lands. */
export function adminRoutes(_deps: Deps) {
  return new Hono();
}
