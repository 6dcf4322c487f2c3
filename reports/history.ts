import { DateTime } from 'luxon';
import type { Models } from '../models';
import type { AlarmHistory, CallSearchQuery, CallSearchResult, HotlineHistory } from '../contracts';
import type { CallOutcome, Language } from '../models/enums';
import { CALL_FACT_FIELDS, callFactOf, dayMetrics, type CallFact } from '../supervisor-board/day-metrics';
import { HOTLINE_ZONE } from '../work-orders/time-limits';


type Period = HotlineHistory['period'];

/** Today by hour; this week (from Monday) and this month by day. */
function bucketsOf(period: Period, now: number): { from: DateTime; to: DateTime; starts: DateTime[]; label: (d: DateTime) => string } {
  const t = DateTime.fromMillis(now, { zone: HOTLINE_ZONE });
  if (period === 'today') {
    const from = t.startOf('day');
    return { from, to: from.plus({ days: 1 }), starts: Array.from({ length: 24 }, (_, i) => from.plus({ hours: i })), label: (d) => `${d.hour}时` };
  }
  const from = period === 'week' ? t.startOf('week') : t.startOf('month');
  const to = period === 'week' ? from.plus({ weeks: 1 }) : from.plus({ months: 1 });
  const days = Math.round(to.diff(from, 'days').days);
  return { from, to, starts: Array.from({ length: days }, (_, i) => from.plus({ days: i })), label: (d) => d.toFormat('MM/dd') };
}

function readFacts(models: Pick<Models, 'Call'>, from: Date, to: Date) {
  return models.Call.find({ arrivedAt: { $gte: from, $lt: to }, test: { $ne: true }, direction: { $ne: 'outbound' } }).select(`${CALL_FACT_FIELDS} arrivedAt`).lean();
}

/**
 * The board's history of one period: the service level, the calls and the abandons per bucket,
 * with the figures of the same definitions as the live board (`dayMetrics`).
 */
export async function hotlineHistory(models: Pick<Models, 'Call'>, period: Period, opts: { serviceLevelMs: number }, now = Date.now()): Promise<HotlineHistory> {
  const b = bucketsOf(period, now);
  const calls = await readFacts(models, b.from.toJSDate(), b.to.toJSDate());
  const all = calls.map(callFactOf);
  const edges = b.starts.map((s) => s.toMillis());
  const grouped = edges.map(() => [] as CallFact[]);
  const byHour = Array<number>(24).fill(0);
  calls.forEach((c, i) => {
    const at = c.arrivedAt.getTime();
    let k = edges.length - 1;
    while (k > 0 && edges[k]! > at) k--;
    grouped[k]!.push(all[i]!);
    byHour[DateTime.fromMillis(at, { zone: HOTLINE_ZONE }).hour]!++;
  });
  return {
    period,
    from: b.from.toMillis(),
    to: b.to.toMillis(),
    buckets: b.starts.map((s, i) => {
      const m = dayMetrics(grouped[i]!, opts).metrics;
      return { label: b.label(s), start: s.toMillis(), arrived: m.arrived, offered: m.offered, answered: m.answered, answeredWithinSl: m.answeredWithinSl, abandoned: m.abandoned, serviceLevel: m.serviceLevel, abandonRate: m.abandonRate };
    }),
    byHour,
    metrics: dayMetrics(all, opts).metrics,
  };
}

/** Digits are matched as they are: nothing in a number can act as a pattern. */
const digitsPattern = (s: string) => s.replace(/[^\d]/g, '');

/** Calls as a supervisor looks them up: by number, agent, days, outcome, language; newest first. */
export async function searchCalls(models: Pick<Models, 'Call' | 'Agent'>, q: CallSearchQuery, now = Date.now()): Promise<CallSearchResult> {
  const today = DateTime.fromMillis(now, { zone: HOTLINE_ZONE }).startOf('day');
  const from = q.from ? DateTime.fromISO(q.from, { zone: HOTLINE_ZONE }) : q.to ? DateTime.fromISO(q.to, { zone: HOTLINE_ZONE }).minus({ days: 6 }) : today.minus({ days: 6 });
  const to = (q.to ? DateTime.fromISO(q.to, { zone: HOTLINE_ZONE }) : today).plus({ days: 1 });
  const filter: Record<string, unknown> = {
    arrivedAt: { $gte: from.toJSDate(), $lt: to.toJSDate() },
    test: { $ne: true },
    direction: { $ne: 'outbound' },
    ...(q.number ? { callerNumber: { $regex: digitsPattern(q.number) } } : {}),
    ...(q.agent ? { agentWorkNumber: q.agent } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(q.language ? { language: q.language } : {}),
  };
  const docs = await models.Call.find(filter)
    .select('callId arrivedAt callerNumber language outcome agentWorkNumber answerDelayMs answeredAt endedAt recordingName')
    .sort({ arrivedAt: -1 })
    .limit(q.limit + 1)
    .lean();
  const shown = docs.slice(0, q.limit);
  const wns = [...new Set(shown.flatMap((c) => (c.agentWorkNumber ? [c.agentWorkNumber] : [])))];
  const names = new Map((wns.length ? await models.Agent.find({ workNumber: { $in: wns } }).select('workNumber name').lean() : []).map((a) => [a.workNumber, a.name]));
  return {
    more: docs.length > q.limit,
    calls: shown.map((c) => ({
      callId: c.callId,
      arrivedAt: c.arrivedAt.getTime(),
      callerNumber: c.callerNumber,
      language: (c.language as Language | undefined) ?? null,
      outcome: (c.outcome as CallOutcome | undefined) ?? null,
      agentWorkNumber: c.agentWorkNumber ?? null,
      agentName: c.agentWorkNumber ? (names.get(c.agentWorkNumber) ?? null) : null,
      answerDelayMs: c.answerDelayMs ?? null,
      talkMs: c.answeredAt && c.endedAt ? c.endedAt.getTime() - c.answeredAt.getTime() : null,
      recordingName: c.recordingName ?? null,
    })),
  };
}

/** Alarms per day over the last `days` days (today included), by kind: the admin page's chart. */
export async function alarmHistory(models: Pick<Models, 'Alarm'>, days: number, now = Date.now()): Promise<AlarmHistory> {
  const first = DateTime.fromMillis(now, { zone: HOTLINE_ZONE }).startOf('day').minus({ days: days - 1 });
  const alarms = await models.Alarm.find({ raisedAt: { $gte: first.toJSDate() } }).select('kind raisedAt').lean();
  const out = Array.from({ length: days }, (_, i) => ({ day: first.plus({ days: i }).toISODate() ?? '', silence: 0, ringNoAnswer: 0, longWait: 0, other: 0 }));
  for (const a of alarms) {
    const i = Math.floor(DateTime.fromJSDate(a.raisedAt, { zone: HOTLINE_ZONE }).startOf('day').diff(first, 'days').days + 0.5);
    const row = out[i];
    if (!row) continue;
    if (a.kind === 'silence') row.silence++;
    else if (a.kind === 'answer-timeout') row.ringNoAnswer++;
    else if (a.kind === 'long-wait') row.longWait++;
    else row.other++;
  }
  return { days: out };
}
