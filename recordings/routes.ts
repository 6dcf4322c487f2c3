import { resolve, sep } from 'node:path';
import type { Response } from 'express';
import { bearerUser } from '../api/require-role';
import type { ApiRoutes } from '../api/routes';
import { AppError, forbidden, notFound, unauthorized } from '../core/errors';
import type { Models } from '../models';
import type { RecordingLink, SessionUser } from '../contracts';
import { errorBodySchema, recordingGrantQuery, recordingLinkSchema, recordingNameParams } from '../contracts';
import type { TokenService } from '../auth/token-service';

/**
 * A recording name as Asterisk and the call flow make them (`call-<uuid>`), optionally with its
 * `.wav` suffix. Only these characters, never a leading dot, never a path separator: the name can
 * only ever point at one file directly inside RECORDINGS_DIR.
 */
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;
/**
 * MixMonitor's file of a call the dialplan fallback took: `fallback-<Uniqueid>`, and an Uniqueid is
 * `<epoch seconds>.<sequence>` (cti/fallback/records.ts). Its one dot is why this is a pattern of
 * its own rather than a loosening of the rule above: digits around exactly one dot, nothing else.
 */
const FALLBACK_RE = /^fallback-\d{1,20}\.\d{1,10}$/;

/** Where recordings are read from: the CTI's own, and Asterisk's MixMonitor files (the fallback's). */
export interface RecordingDirs {
  recordings: string;
  monitor: string;
}

export function recordingFile(dirs: RecordingDirs, rawName: string): { name: string; root: string; file: string } | null {
  if (!NAME_RE.test(rawName) || rawName.includes('..')) return null;
  const name = rawName.endsWith('.wav') ? rawName.slice(0, -4) : rawName;
  const fallback = FALLBACK_RE.test(name);
  if (!name || (name.includes('.') && !fallback)) return null;
  const root = resolve(fallback ? dirs.monitor : dirs.recordings);
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
export function recordingRoutes(api: ApiRoutes, deps: { models: Models; tokens: TokenService; dirs: RecordingDirs }): void {
  const { models, tokens, dirs } = deps;

  const mayPlay = async (user: SessionUser, name: string): Promise<boolean> => {
    if (user.role === 'supervisor' || user.role === 'admin') return true;
    if (user.role !== 'agent') return false;
    const rec = await models.Recording.findOne({ name }).select('callId').lean();
    const callId = rec?.callId ?? (/^call-([0-9a-f-]{36})$/.exec(name)?.[1] ?? null);
    if (!callId) return false;
    return !!(await models.Call.exists({ callId, agentWorkNumber: user.workNumber }));
  };

  api
    .group('/api/recordings', 'recordings')
    .add(
      {
        method: 'get',
        path: '/:name/link',
        summary: 'A short-lived link to play one recording in an <audio> element',
        access: { public: 'Bearer token of a supervisor or admin (any recording) or of the agent who answered the call.' },
        params: recordingNameParams,
        responses: {
          200: { description: 'the link', schema: recordingLinkSchema },
          403: { description: 'not this user’s call', schema: errorBodySchema },
          404: { description: 'not a recording name', schema: errorBodySchema },
        },
      },
      async ({ params, req }) => {
        const user = bearerUser(req, tokens);
        const f = recordingFile(dirs, params.name);
        if (!f) throw notFound('recording', '录音不存在');
        if (!(await mayPlay(user, f.name))) throw forbidden('not your call', '只能播放本人接听的通话录音');
        const grant = tokens.signRecording(f.name, user.workNumber);
        const link: RecordingLink = { url: `/api/recordings/${encodeURIComponent(f.name)}.wav?grant=${grant.token}`, expiresAt: grant.expiresAt };
        return link;
      },
    )
    .add(
      {
        method: 'get',
        path: '/:name',
        summary: 'The recording itself (WAV, Range requests answered with 206)',
        access: { public: 'A `grant` from the link route, or a bearer token allowed to play it.' },
        params: recordingNameParams,
        query: recordingGrantQuery,
        responses: {
          200: { description: 'the file', contentType: 'audio/wav' },
          206: { description: 'the requested range', contentType: 'audio/wav' },
          401: { description: 'invalid or expired link', schema: errorBodySchema },
          404: { description: 'no such recording', schema: errorBodySchema },
        },
      },
      async ({ params, query, req, res }) => {
        const f = recordingFile(dirs, params.name);
        if (!f) throw notFound('recording', '录音不存在');
        if (query.grant !== undefined) {
          if (!tokens.recordingGrantValid(query.grant, f.name)) throw unauthorized('invalid or expired recording link', '播放链接已失效，请重新点击播放');
        } else if (!(await mayPlay(bearerUser(req, tokens), f.name))) {
          throw forbidden('not your call', '只能播放本人接听的通话录音');
        }
        res.setHeader('Cache-Control', 'private, no-store');
        await sendWav(res, f);
      },
    );
}

function sendWav(res: Response, f: { root: string; file: string }): Promise<void> {
  return new Promise((done, fail) => {
    res.sendFile(f.file, { root: f.root, dotfiles: 'deny', acceptRanges: true, headers: { 'Content-Type': 'audio/wav' } }, (err?: Error & { status?: number; code?: string }) => {
      if (!err || res.headersSent) return done();
      if (err.status === 404 || err.code === 'ENOENT') return fail(notFound('recording', '录音不存在'));
      // e.g. 416 for a range beyond the end (send has already set Content-Range: bytes */size).
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return fail(new AppError(err.status, 'bad_range', err.message));
      fail(err);
    });
  });
}
