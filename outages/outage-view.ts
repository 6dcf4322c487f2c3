import type { OutageNoticeView } from '../contracts';
import type { DepartmentCode } from '../models/enums';
import type { OutageChannel, OutageDoc, OutageStatus } from '../models/outage';

const epoch = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

/** A stored outage notice as the API and the pages show it. */
export function toOutageView(d: OutageDoc & { createdAt: Date }, needsBureauApproval: boolean, calls: OutageNoticeView['calls'] = null): OutageNoticeView {
  const b = d.bureauApproval;
  return {
    number: d.number,
    kind: d.kind as OutageNoticeView['kind'],
    source: d.source as OutageNoticeView['source'],
    areaCodes: [...d.areaCodes],
    streets: [...(d.streets ?? [])],
    areaDescription: d.areaDescription,
    startsAt: d.startsAt.getTime(),
    expectedEndAt: d.expectedEndAt.getTime(),
    valves: (d.valves ?? []).map((v) => ({ count: v.count, diameterMm: v.diameterMm, number: v.number ?? null, location: v.location })),
    mainRoadDug: !!d.mainRoadDug,
    peopleAffected: d.peopleAffected,
    department: d.department as DepartmentCode,
    reason: d.reason ?? null,
    large: !!d.large,
    needsBureauApproval,
    status: d.status as OutageStatus,
    bureauApproval: b?.at ? { by: b.by ?? '', reference: b.reference ?? '', at: b.at.getTime(), recordedBy: b.recordedBy ?? '' } : null,
    version: d.version ?? 0,
    publications: (d.publications ?? []).map((p) => ({
      channel: p.channel as OutageChannel,
      version: p.version,
      what: p.what as 'notice' | 'cancelled' | 'restored',
      status: p.status as 'pending' | 'sent' | 'failed',
      attempts: p.attempts ?? 0,
      sentAt: epoch(p.sentAt),
      error: p.error ?? null,
    })),
    createdBy: d.createdBy,
    createdAt: d.createdAt.getTime(),
    publishedAt: epoch(d.publishedAt),
    startedAt: epoch(d.startedAt),
    restoredAt: epoch(d.restoredAt),
    cancelledAt: epoch(d.cancelledAt),
    history: (d.history ?? []).map((e) => ({ action: e.action as OutageNoticeView['history'][number]['action'], by: e.by, at: e.at.getTime(), note: e.note ?? null })),
    calls,
  };
}
