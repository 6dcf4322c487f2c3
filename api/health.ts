import { Router } from 'express';
import { runProbes, type ReadinessProbe } from './readiness';

/** `/healthz`: the process is alive. `/readyz`: every dependency answers, else 503 with reasons. */
export function healthRouter(probes: ReadinessProbe[], timeoutMs = 2000): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSec: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await runProbes(probes, timeoutMs);
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      reasons: checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.reason}`),
      checks,
    });
  });
  return router;
}
