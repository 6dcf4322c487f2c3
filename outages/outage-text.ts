import { fmtZh } from '../core/time';
import type { OutageDoc } from '../models/outage';

type Facts = Pick<OutageDoc, 'number' | 'kind' | 'source' | 'areaDescription' | 'streets' | 'startsAt' | 'expectedEndAt' | 'peopleAffected' | 'reason'>;

const where = (o: Facts): string => (o.streets?.length ? `${o.areaDescription}（${o.streets.join('、')}）` : o.areaDescription);
const why = (o: Facts): string => o.reason || (o.kind === 'unplanned' ? '供水管道抢修' : o.source === 'plant' ? '水厂（加压站）设备检修' : '供水管网施工');

/** The notice as published and texted (Art. 17): why, where, from when to when, what to do. */
export function noticeText(o: Facts, moved = false): { title: string; text: string } {
  const title = `${moved ? '【停水时间变更】' : o.kind === 'unplanned' ? '【紧急停水通知】' : '【停水通知】'}${o.areaDescription}`;
  const text =
    `因${why(o)}，${fmtZh(o.startsAt.getTime())} 至 ${fmtZh(o.expectedEndAt.getTime())}，${where(o)}停止供水` +
    `${o.kind === 'planned' ? '，请提前做好储水准备' : ''}。恢复时间如有变化将另行通知，给您带来不便，敬请谅解。供水服务热线：952525。`;
  return { title, text };
}

export function cancelledText(o: Facts): { title: string; text: string } {
  return { title: `【停水取消】${o.areaDescription}`, text: `原定 ${fmtZh(o.startsAt.getTime())} 起${where(o)}的停水已取消，供水正常。供水服务热线：952525。` };
}

export function restoredText(o: Facts, at: number): { title: string; text: string } {
  return { title: `【恢复供水】${o.areaDescription}`, text: `${where(o)}已于 ${fmtZh(at)} 恢复供水。初期水质如有浑浊，请放水片刻后使用。供水服务热线：952525。` };
}

/** To the production department and the company leader in charge, and the bureau's section, over 5000 people (Art. 16). */
export function largeOutageText(o: Facts): string {
  return `【大范围停水】${o.kind === 'planned' ? '计划' : '抢修'}停水 ${o.number}：${where(o)}，${fmtZh(o.startsAt.getTime())} 至 ${fmtZh(o.expectedEndAt.getTime())}，影响约 ${o.peopleAffected} 人。原因：${why(o)}。`;
}

/** What the large-outage call says after its opening (no number: digits and letters read badly). */
export function spokenLargeOutage(o: Facts): string {
  return `${o.kind === 'planned' ? '计划' : '抢修'}停水，${where(o)}，${fmtZh(o.startsAt.getTime())}至${fmtZh(o.expectedEndAt.getTime())}，影响约${o.peopleAffected}人。原因，${why(o)}。`;
}

export const SMS_HEAD = '【供水服务热线952525】';
