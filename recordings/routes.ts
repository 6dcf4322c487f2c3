import { z } from 'zod';
import { resolve, sep } from 'node:path';
import type { Response } from 'express';
import { bearerUser } from '../api/require-role';
import type { ApiRoutes } from '../api/routes';
import { AppError, forbidden, notFound, unauthorized } from '../core/errors';
import type { Models } from '../models';
import type { RecordingAccessVia } from '../models/recording-access';
import type { RecordingLink, SessionUser } from '../contracts';
import { errorBodySchema, recordingAccessQuery, recordingAccessViewSchema, recordingGrantQuery, recordingLinkSchema, recordingNameParams } from '../contracts';
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
 * answered; every listen is in the audit (RecordingAccess), which admins read. The <audio> element
 * gets a short-lived URL grant (it cannot send a bearer header);
 * express's sendFile answers Range requests (206) so the player can seek.
 */
export function recordingRoutes(api: ApiRoutes, deps: { models: Models; tokens: TokenService; dirs: RecordingDirs }): void {
  const { models, tokens, dirs } = deps;

  /** The call a recording is of, when known. */
  const callOf = async (name: string): Promise<string | null> => {
    const rec = await models.Recording.findOne({ name }).select('callId').lean();
    return rec?.callId ?? (/^call-([0-9a-f-]{36})$/.exec(name)?.[1] ?? null);
  };
  /** Whether `user` may listen, and the call it is of (for the audit). */
  const mayPlay = async (user: SessionUser, name: string): Promise<{ ok: boolean; callId: string | null }> => {
    if (user.role !== 'supervisor' && user.role !== 'admin' && user.role !== 'agent') return { ok: false, callId: null };
    const callId = await callOf(name);
    if (user.role !== 'agent') return { ok: true, callId };
    return { ok: !!callId && !!(await models.Call.exists({ callId, agentWorkNumber: user.workNumber })), callId };
  };
  /** Written before the recording is handed out: a listen that cannot be recorded does not happen. */
  const audit = (user: SessionUser, recording: string, callId: string | null, via: 'play' | 'download', ip: string | undefined) =>
    models.RecordingAccess.create({ at: new Date(), workNumber: user.workNumber, role: user.role, recording, via, ...(callId ? { callId } : {}), ...(ip ? { ip } : {}) });

  api.group('/api/audit', 'audit').add(
    {
      method: 'get',
      path: '/recordings',
      summary: 'Who listened to which recording and when (players opened, files fetched, live calls monitored), newest first',
      query: recordingAccessQuery,
      responses: { 200: { description: 'the entries', schema: z.array(recordingAccessViewSchema) } },
    },
    async ({ query }) => {
      const docs = await models.RecordingAccess.find({ ...(query.workNumber ? { workNumber: query.workNumber } : {}), ...(query.callId ? { callId: query.callId } : {}) })
        .sort({ at: -1 })
        .limit(query.limit)
        .lean();
      return docs.map((d) => ({ at: d.at.getTime(), workNumber: d.workNumber, role: d.role as SessionUser['role'], recording: d.recording ?? null, callId: d.callId ?? null, via: d.via as RecordingAccessVia, ip: d.ip ?? null }));
    },
  );

  api
    .group('/api/recordings', 'recordings')
    .add(
      {
        method: 'get',
        path: '/:name/link',
        summary: 'A short-lived link to play one recording in an <audio> element',
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
        const may = await mayPlay(user, f.name);
        if (!may.ok) throw forbidden('not your call', '只能播放本人接听的通话录音');
        await audit(user, f.name, may.callId, 'play', req.ip);
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
        } else {
          const user = bearerUser(req, tokens);
          const may = await mayPlay(user, f.name);
          if (!may.ok) throw forbidden('not your call', '只能播放本人接听的通话录音');
          // One entry per fetch of the file, not per range a player asks for while seeking.
          const range = req.headers.range;
          if (!range || /^bytes=0-/.test(range)) await audit(user, f.name, may.callId, 'download', req.ip);
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
