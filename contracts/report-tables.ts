import { CATEGORY_LABEL, DEPARTMENT_LABEL, type CallbackReason, type DepartmentCode, type WorkOrderCategory } from '../models/enums';
import type { MonthlyReport } from './reports';

export type Cell = string | number | null;

/** A report month as people write it: 2026-12 → 2026年12月 (anything else unchanged). */
export function monthZh(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? `${m[1]}年${Number(m[2])}月` : month;
}

/** One section of the report as a table: one XLSX sheet, one block of the CSV. */
export interface ReportTable {
  /** Sheet name (Excel: at most 31 characters, no []:*?/\). */
  sheet: string;
  header: string[];
  rows: Cell[][];
}

const pct = (r: number | null): Cell => (r === null ? null : Math.round(r * 1000) / 10);
const sec = (ms: number | null): Cell => (ms === null ? null : Math.round(ms / 100) / 10);
const dept = (d: string) => DEPARTMENT_LABEL[d as DepartmentCode] ?? d;
const cat = (c: string) => CATEGORY_LABEL[c as WorkOrderCategory] ?? c;
const REASON: Record<CallbackReason, string> = { after_sales: '售后（短信/电话）', complaint: '投诉（电话）', engineering: '工程抽样（电话）', sms_unsatisfied: '短信不满意转电话', queue_callback: '排队回拨（非工单）' };
/** A count with its share of `of`, for the abandons by stage. */
const share = (n: number, of: number): Cell => (of === 0 ? null : Math.round((n / of) * 1000) / 10);

/**
 * The report's sections as tables, in the order the page shows them. Percentages are 0–100 with
 * one decimal, durations in seconds; an empty cell where a rate divides by zero.
 */
export function reportTables(r: MonthlyReport): ReportTable[] {
  const m = r.hotline.metrics;
  const cb = r.callbacks.figures;
  return [
    {
      sheet: '概要',
      header: ['项目', '值'],
      rows: [
        ['月份', r.month],
        ['版本', r.build],
        ['生成时间', r.builtAt],
        ['生成人', r.builtBy === 'schedule' ? '定时任务' : r.builtBy],
        ['读取来电记录', r.inputs.calls],
        ['读取本月工单', r.inputs.workOrders],
        ['读取上月工单', r.inputs.workOrdersLastMonth],
        ['读取回访', r.inputs.callbacks],
        ['读取停水', r.inputs.outages],
        ['读取告警', r.inputs.alarms],
      ],
    },
    {
      sheet: '受理分类',
      header: ['类别', '本月', '上月', '增减'],
      rows: [...r.complaints.byCategory.map((x) => [cat(x.category), x.count, x.lastMonth, x.count - x.lastMonth]), ['合计', r.complaints.total.count, r.complaints.total.lastMonth, r.complaints.total.count - r.complaints.total.lastMonth]],
    },
    {
      sheet: '受理部门',
      header: ['部门', '本月', '上月', '增减'],
      rows: r.complaints.byDepartment.map((x) => [dept(x.department), x.count, x.lastMonth, x.count - x.lastMonth]),
    },
    {
      sheet: '热点',
      header: ['排名', '片区', '类别', '本月', '上月', '增减', '集中街道'],
      rows: r.hotSpots.map((h) => [h.rank, h.areaCode || '未知片区', cat(h.category), h.count, h.lastMonth, h.count - h.lastMonth, h.streets.map((s) => `${s.street}(${s.count})`).join('、')]),
    },
    {
      sheet: '工单汇总',
      header: ['部门', '受理', '5分钟内通知', '投诉', '1小时内受理', '办结', '按时办结', '超时', '延期', '升级'],
      rows: [...r.workOrders.departments.map((x) => ({ ...x, label: dept(x.department) })), { ...r.workOrders.total, label: '合计' }].map((x) => [
        x.label,
        x.opened,
        x.notifiedInTime,
        x.complaints,
        x.acceptedInTime,
        x.resolved,
        x.resolvedInTime,
        x.late,
        x.extended,
        x.escalated,
      ]),
    },
    {
      sheet: '回访',
      header: ['部门', '售后办结', '已回访', '回访率%', '满意', '不满意', '满意率%', '超期', '短信未回复', '工程抽样', '工程已回访'],
      rows: [...cb.departments.map((x) => ({ ...x, label: dept(x.department) })), { ...cb.total, label: '合计' }].map((x) => [
        x.label,
        x.afterSales,
        x.calledBack,
        pct(x.callbackRate),
        x.satisfied,
        x.unsatisfied,
        pct(x.satisfactionRate),
        x.overdue,
        x.noReply,
        x.engineeringSampled,
        x.engineeringDone,
      ]).concat([['不满意转工单', r.callbacks.unsatisfiedToOrders, null, null, null, null, null, null, null, null, null]]),
    },
    {
      sheet: '回访类型',
      header: ['类型', '应回访', '已回访', '回访率%'],
      rows: r.callbacks.byType.map((t) => [REASON[t.reason], t.owed, t.made, pct(t.rate)]),
    },
    {
      sheet: '停水',
      header: ['项目', '值'],
      rows: [
        ['停水（不含取消）', r.outages.total],
        ['计划', r.outages.planned],
        ['临时', r.outages.unplanned],
        ['超过5000人', r.outages.large],
        ['影响人数', r.outages.peopleAffected],
        ['已取消', r.outages.cancelled],
        ['计划停水提前24小时发布', r.outages.plannedNoticedInTime],
      ],
    },
    {
      sheet: '热线',
      header: ['项目', '值'],
      rows: [
        ['来电', m.arrived],
        ['进入排队', m.offered],
        ['接通', m.answered],
        ['20秒内接通', m.answeredWithinSl],
        ['服务水平%（接通中）', pct(m.serviceLevel)],
        ['服务水平%（排队中）', pct(m.serviceLevelOffered)],
        ['平均应答秒', sec(m.asaMs)],
        ['放弃（排队/振铃）', m.abandoned],
        ['放弃率%', pct(m.abandonRate)],
        ['问候时挂机', r.hotline.abandonByStage.greeting],
        ['问候时挂机占来电%', share(r.hotline.abandonByStage.greeting, m.arrived)],
        ['排队时挂机', r.hotline.abandonByStage.queue],
        ['排队时挂机占来电%', share(r.hotline.abandonByStage.queue, m.arrived)],
        ['振铃时挂机', r.hotline.abandonByStage.ringing],
        ['振铃时挂机占来电%', share(r.hotline.abandonByStage.ringing, m.arrived)],
        ['平均通话秒', sec(m.avgTalkMs)],
        ['振铃未接', m.ringNoAnswer],
        ['20秒未接告警', r.hotline.alarms.ringNoAnswer],
        ['30分钟无来电告警', r.hotline.alarms.silence],
      ],
    },
    {
      sheet: '坐席',
      header: ['工号', '姓名', '接通', '20秒内接通', '平均振铃秒', '平均通话秒', '振铃未接'],
      rows: r.hotline.byAgent.map((a) => [a.workNumber, a.name, a.answered, a.answeredWithinSl, sec(a.avgRingMs), sec(a.avgTalkMs), a.ringNoAnswer]),
    },
    {
      sheet: '来电时段',
      header: ['日', ...Array.from({ length: 24 }, (_, h) => `${h}时`)],
      rows: r.hotline.heat.map((d) => [d.day, ...d.hours]),
    },
  ];
}
