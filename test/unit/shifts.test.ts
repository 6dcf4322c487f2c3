import { expect } from 'chai';
import { nextShift, previousShift, shiftAt, shiftTableSchema } from '../../core/shifts';

/** Asia/Shanghai wall clock → ms epoch (UTC+8, no daylight saving). */
const sh = (iso: string) => Date.parse(`${iso}+08:00`);

describe('shift table (SHIFTS, rule 八): windows for any instant, across midnight', () => {
  const three = shiftTableSchema.parse('08:00-16:00,16:00-24:00,00:00-08:00');

  it('finds the shift in progress, its start inclusive and its end exclusive', () => {
    expect(shiftAt(three, sh('2026-03-10T08:00:00'))).to.deep.equal({ label: '08:00-16:00', start: sh('2026-03-10T08:00:00'), end: sh('2026-03-10T16:00:00') });
    expect(shiftAt(three, sh('2026-03-10T15:59:59.999')).label).to.equal('08:00-16:00');
    expect(shiftAt(three, sh('2026-03-10T16:00:00')).label).to.equal('16:00-24:00');
    expect(shiftAt(three, sh('2026-03-10T23:59:59')).end).to.equal(sh('2026-03-11T00:00:00'));
  });

  it('across midnight: the night shift after 00:00 is preceded by the evening shift of the day before', () => {
    const t = sh('2026-03-11T00:30:00');
    expect(shiftAt(three, t)).to.deep.equal({ label: '00:00-08:00', start: sh('2026-03-11T00:00:00'), end: sh('2026-03-11T08:00:00') });
    expect(previousShift(three, t)).to.deep.equal({ label: '16:00-24:00', start: sh('2026-03-10T16:00:00'), end: sh('2026-03-11T00:00:00') });
    expect(nextShift(three, sh('2026-03-10T23:00:00'))).to.deep.equal({ label: '00:00-08:00', start: sh('2026-03-11T00:00:00'), end: sh('2026-03-11T08:00:00') });
    expect(previousShift(three, sh('2026-03-10T08:00:00')).start).to.equal(sh('2026-03-10T00:00:00'));
  });

  it('a shift that itself runs across midnight (22:00-06:00)', () => {
    const two = shiftTableSchema.parse('06:00-22:00,22:00-06:00');
    for (const at of ['2026-03-10T23:10:00', '2026-03-11T05:59:00']) {
      expect(shiftAt(two, sh(at))).to.deep.equal({ label: '22:00-06:00', start: sh('2026-03-10T22:00:00'), end: sh('2026-03-11T06:00:00') });
    }
    expect(previousShift(two, sh('2026-03-11T02:00:00'))).to.deep.equal({ label: '06:00-22:00', start: sh('2026-03-10T06:00:00'), end: sh('2026-03-10T22:00:00') });
    expect(nextShift(two, sh('2026-03-11T02:00:00')).start).to.equal(sh('2026-03-11T06:00:00'));
  });

  it('across a month and year end', () => {
    expect(previousShift(three, sh('2027-01-01T03:00:00'))).to.deep.equal({ label: '16:00-24:00', start: sh('2026-12-31T16:00:00'), end: sh('2027-01-01T00:00:00') });
  });

  it('refuses a table with a gap, an overlap or a malformed entry', () => {
    for (const bad of ['08:00-16:00,16:00-23:00,00:00-08:00', '08:00-17:00,16:00-24:00,00:00-08:00', '8-16,16-8', '08:00-08:00', '25:00-01:00,01:00-25:00', '']) {
      expect(shiftTableSchema.safeParse(bad).success, bad).to.equal(false);
    }
    expect(shiftTableSchema.parse('00:00-24:00').map((s) => s.label)).to.deep.equal(['00:00-24:00']);
  });
});
