import { expect } from 'chai';
import { firstWorkingDay } from '../../callbacks/engineering-sample';
import { previousMonth } from '../../core/time';

const cal = (holidays: string[] = [], workdays: string[] = []) => ({ holidays: new Set(holidays), workdays: new Set(workdays) });
/** An Asia/Shanghai wall-clock time as epoch ms. */
const sh = (iso: string) => Date.parse(`${iso}+08:00`);

describe('callbacks/engineering-sample: the monthly sample\'s day and month', () => {
  it('the first working day: the 1st on a weekday, Monday after a weekend, after the holidays, or a worked weekend day (调休)', () => {
    expect(firstWorkingDay('2026-12', cal())).to.equal('2026-12-01'); // Tuesday
    expect(firstWorkingDay('2026-11', cal())).to.equal('2026-11-02'); // the 1st is a Sunday
    const nationalDay = ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'];
    expect(firstWorkingDay('2026-10', cal(nationalDay))).to.equal('2026-10-08');
    expect(firstWorkingDay('2026-10', cal(nationalDay, ['2026-10-03']))).to.equal('2026-10-03'); // a Saturday worked in lieu
  });

  it('last month in Asia/Shanghai, across the year\'s turn and at midnight', () => {
    expect(previousMonth(sh('2026-11-02T09:00:00'))).to.equal('2026-10');
    expect(previousMonth(sh('2027-01-04T09:00:00'))).to.equal('2026-12');
    // 2026-12-01 00:30 in Shanghai is still November in UTC: the hotline's month counts.
    expect(previousMonth(sh('2026-12-01T00:30:00'))).to.equal('2026-11');
  });
});
