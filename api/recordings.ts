import { resolve, sep } from 'node:path';
import { Router, type Request } from 'express';
import { AppError, forbidden, notFound, unauthorized } from '../core/errors';
import type { Models } from '../models';
import type { RecordingLink, SessionUser } from '../ws/contracts';
import type { TokenService } from './auth';

/**
 * A recording name as Asterisk and the call flow make them (`call-<uuid>`), optionally with its
 * `.wav` suffix. Only these characters, never a leading dot, never a path separator: the name can
 * only ever point at one file directly inside RECORDINGS_DIR.
 */
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

export function recordingFile(dir: string, rawName: string): { name: string; root: string; file: string } | null {
  if (!NAME_RE.test(rawName) || rawName.includes('..')) return null;
  const name = rawName.endsWith('.wav') ? rawName.slice(0, -4) : rawName;
  if (!name || name.includes('.')) return null;
  const root = resolve(dir);
  const full = resolve(root, `${name}.wav`);
  // Belt and braces: whatever the name, the file must resolve inside the directory.
  if (!full.startsWith(root + sep)) return null;
  return { name, root, file: `${name}.wav` };
}

/**
 * Recordings for the consoles. Supervisors and admins may play any; an agent only the calls they
 * answered. The <audio> element gets a short-lived URL grant (it cannot send a bearer header);
 * express's sendFile answers Range requests (206) so the player can seek.
 */
export function recordingsRouter(deps: { models: Models; tokens: TokenService; dir: string }): Router {
  const { models, tokens, dir } = deps;
  const router = Router();

  const mayPlay = async (user: SessionUser, name: string): Promise<boolean> => {
    if (user.role === 'supervisor' || user.role === 'admin') return true;
    if (user.role !== 'agent') return false;
    const rec = await models.Recording.findOne({ name }).select('callId').lean();
    const callId = rec?.callId ?? (/^call-([0-9a-f-]{36})$/.exec(name)?.[1] ?? null);
    if (!callId) return false;
    return !!(await models.Call.exists({ callId, agentWorkNumber: user.workNumber }));
  };

  const bearerUser = (req: Request): SessionUser => {
    const m = /^Bearer ([A-Za-z0-9._-]+)$/.exec(req.get('authorization') ?? '');
    return tokens.verify(m?.[1]).user;
  };

  router.get('/:name/link', async (req, res) => {
    const user = bearerUser(req);
    const f = recordingFile(dir, req.params.name);
    if (!f) throw notFound('recording');
    if (!(await mayPlay(user, f.name))) throw forbidden('not your call');
    const grant = tokens.signRecording(f.name, user.workNumber);
    const link: RecordingLink = { url: `/api/recordings/${encodeURIComponent(f.name)}.wav?grant=${grant.token}`, expiresAt: grant.expiresAt };
    res.json(link);
  });

  router.get('/:name', async (req, res, next) => {
    const f = recordingFile(dir, req.params.name);
    if (!f) throw notFound('recording');
    const grant = typeof req.query.grant === 'string' ? req.query.grant : undefined;
    if (grant !== undefined) {
      if (!tokens.recordingGrantValid(grant, f.name)) throw unauthorized('invalid or expired recording link');
    } else if (!(await mayPlay(bearerUser(req), f.name))) {
      throw forbidden('not your call');
    }
    res.setHeader('Cache-Control', 'private, no-store');
    res.sendFile(f.file, { root: f.root, dotfiles: 'deny', acceptRanges: true, headers: { 'Content-Type': 'audio/wav' } }, (err?: Error & { status?: number; code?: string }) => {
      if (!err) return;
      if (res.headersSent) return;
      if (err.status === 404 || err.code === 'ENOENT') return next(notFound('recording'));
      // e.g. 416 for a range beyond the end (send has already set Content-Range: bytes */size).
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return next(new AppError(err.status, 'bad_range', err.message));
      next(err);
    });
  });
  return router;
}
