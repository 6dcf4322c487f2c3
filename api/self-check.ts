import { Router } from 'express';
import type { SelfCheck } from '../cti/health/self-check';
import { requireRole, userOf, type TokenService } from './auth';
import type { Logger } from '../core/logger';

/** Admins run the silence alarm's self-check on demand: `POST /api/admin/self-check`. */
export function selfCheckRouter(check: SelfCheck, tokens: TokenService, logger: Logger): Router {
  const router = Router();
  router.post('/self-check', requireRole(tokens, 'admin'), async (_req, res) => {
    const started = Date.now();
    const items = await check.run();
    logger.info({ by: userOf(res).workNumber, failed: items.filter((i) => !i.ok).map((i) => i.item) }, 'self-check run on demand');
    res.json({ at: started, ok: items.every((i) => i.ok), items });
  });
  return router;
}
