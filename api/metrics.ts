import { Router } from 'express';
import type { Registry } from 'prom-client';

/** Prometheus text exposition of this process's registry. No personal data is in it. */
export function metricsRouter(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res, next) => {
    try {
      res.type(registry.contentType).send(await registry.metrics());
    } catch (err) {
      next(err);
    }
  });
  return router;
}
