import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../core/config';
import { WORK_ORDER_CATEGORIES } from '../../models/enums';
import { DEFAULT_TIME_LIMITS, dueByFor, limitZh, WorkOrderTimeLimits } from '../../work-orders/time-limits';

/** An Asia/Shanghai wall-clock time as ms epoch (UTC+8, no daylight saving). */
const sh = (local: string) => Date.parse(`${local}+08:00`);
const shOf = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

const limitsFrom = (env: Record<string, string>) => WorkOrderTimeLimits.fromConfig(loadConfig({ NODE_ENV: 'test', ...env }));

describe('work-order time limits (per category, working days in Asia/Shanghai)', () => {
  it('every category has a production limit', () => {
    for (const c of WORK_ORDER_CATEGORIES) {
      expect(DEFAULT_TIME_LIMITS[c], c).to.have.property('amount').that.is.at.least(1);
    }
    expect(DEFAULT_TIME_LIMITS.leak).to.deep.equal({ amount: 4, unit: 'h' });
    expect(DEFAULT_TIME_LIMITS.pipe_burst).to.deep.equal({ amount: 2, unit: 'h' });
    expect(DEFAULT_TIME_LIMITS.billing).to.deep.equal({ amount: 3, unit: 'wd' });
    expect(limitZh(DEFAULT_TIME_LIMITS.billing)).to.equal('3 个工作日');
  });

  it('hour limits run round the clock, weekends included', () => {
    expect(shOf(dueByFor('leak', sh('2026-11-28T22:15')))).to.equal('2026-11-29 02:15');
    expect(shOf(dueByFor('pipe_burst', sh('2026-11-27T23:00')))).to.equal('2026-11-28 01:00');
  });

  it('a billing order opened on Friday afternoon is due on Wednesday at the same time (3 working days, weekend skipped)', () => {
    expect(shOf(dueByFor('billing', sh('2026-11-27T15:30')))).to.equal('2026-12-02 15:30');
  });

  it('counts Shanghai days, not UTC days: Saturday 01:00 in Shanghai (Friday in UTC) → Monday 01:00', () => {
    expect(shOf(dueByFor('inquiry', sh('2026-11-28T01:00')))).to.equal('2026-11-30 01:00');
    // Friday 23:30 in Shanghai is still Friday: 1 working day later is Monday 23:30.
    expect(shOf(dueByFor('inquiry', sh('2026-11-27T23:30')))).to.equal('2026-11-30 23:30');
  });

  it('skips configured holidays and counts a worked weekend day (调休)', () => {
    const limits = limitsFrom({
      WORK_ORDER_HOLIDAYS: '2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07',
      WORK_ORDER_WORKDAYS: '2026-10-10',
    });
    // Wed 30 Sep: Thu 8 Oct (1), Fri 9 Oct (2), Sat 10 Oct worked in lieu (3).
    expect(shOf(limits.dueByFor('billing', sh('2026-09-30T10:00')))).to.equal('2026-10-10 10:00');
    // Without the calendar the same order is due on Monday 5 Oct.
    expect(shOf(dueByFor('billing', sh('2026-09-30T10:00')))).to.equal('2026-10-05 10:00');
  });

  it('WORK_ORDER_TIME_LIMITS overrides single categories and leaves the rest', () => {
    const limits = limitsFrom({ WORK_ORDER_TIME_LIMITS: 'leak=6h,billing=2wd,report=30m' });
    expect(shOf(limits.dueByFor('leak', sh('2026-11-27T10:00')))).to.equal('2026-11-27 16:00');
    expect(shOf(limits.dueByFor('billing', sh('2026-11-27T15:30')))).to.equal('2026-12-01 15:30');
    expect(shOf(limits.dueByFor('report', sh('2026-11-27T15:30')))).to.equal('2026-11-27 16:00');
    expect(limits.table.pipe_burst).to.deep.equal({ amount: 2, unit: 'h' });
    expect(limits.limitZh('leak')).to.equal('6 小时');
  });

  it('refuses an unknown category, a repeat and an absurd amount, naming the setting and the entry', () => {
    const problems = (spec: string) => {
      try {
        limitsFrom({ WORK_ORDER_TIME_LIMITS: spec });
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
      throw new Error(`${spec} was accepted`);
    };
    expect(problems('leek=4h')).to.deep.equal([
      `WORK_ORDER_TIME_LIMITS: unknown category "leek" (known: ${WORK_ORDER_CATEGORIES.join(', ')})`,
    ]);
    expect(problems('leak=4h,leak=5h')).to.deep.equal(['WORK_ORDER_TIME_LIMITS: category "leak" is given twice']);
    expect(problems('leak=0h,billing=99wd')).to.deep.equal([
      'WORK_ORDER_TIME_LIMITS: "leak=0h": the amount must be between 1 and 2160 h',
      'WORK_ORDER_TIME_LIMITS: "billing=99wd": the amount must be between 1 and 60 wd',
    ]);
  });

  it('the config refuses a malformed table or calendar before anything starts', () => {
    expect(() => loadConfig({ WORK_ORDER_TIME_LIMITS: 'leak=4x' })).to.throw(ConfigError, /WORK_ORDER_TIME_LIMITS: comma list of category=amount\+unit/);
    expect(() => loadConfig({ WORK_ORDER_HOLIDAYS: '2026-02-30' })).to.throw(ConfigError, /WORK_ORDER_HOLIDAYS: not a calendar date: 2026-02-30/);
    expect(() => loadConfig({ WORK_ORDER_WORKDAYS: '10/10/2026' })).to.throw(ConfigError, /WORK_ORDER_WORKDAYS: comma list of dates/);
    expect(() => loadConfig({ MAJOR_DIGEST_AT: '8:00' })).to.throw(ConfigError, /MAJOR_DIGEST_AT/);
  });

  it('notice and complaint acceptance deadlines come from the same table', () => {
    const limits = limitsFrom({ WORK_ORDER_NOTICE_MS: '1000', WORK_ORDER_COMPLAINT_ACCEPT_MS: '2000' });
    expect(limits.noticeByFor(10_000)).to.equal(11_000);
    expect(limits.acceptByFor('complaint', 10_000)).to.equal(12_000);
    expect(limits.acceptByFor('leak', 10_000)).to.equal(null);
    const prod = limitsFrom({});
    expect(prod.noticeByFor(0)).to.equal(5 * 60_000);
    expect(prod.acceptByFor('complaint', 0)).to.equal(3_600_000);
  });
});
