import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { adminApi } from './admin/api.ts';
import { adminDashboard } from './admin/dashboard.tsx';

/** Operator routes: the admin API (/api/admin) and the dashboard (/admin). */
export function adminRoutes(deps: Deps) {
  const app = new Hono();
  app.route('/api/admin', adminApi(deps));
  app.route('/admin', adminDashboard(deps));
  return app;
}
