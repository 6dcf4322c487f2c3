import express, { type Express, type Router } from 'express';
import type { Logger } from '../core/logger';
import { errorHandler, notFoundHandler } from './errors';
import { healthRouter } from './health';
import type { ReadinessProbe } from './readiness';

export interface AppDeps {
  logger: Logger;
  probes: ReadinessProbe[];
  /** Domain routers mounted under /api (added by later capabilities). */
  routers?: Array<{ path: string; router: Router }>;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  app.use(healthRouter(deps.probes));
  for (const { path, router } of deps.routers ?? []) app.use(path, router);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
