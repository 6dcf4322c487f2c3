import { expect } from 'chai';
import { verdictOf } from '../../callbacks/reply-text';

describe('callbacks/reply-text: what a customer\'s SMS reply says', () => {
  const cases: Array<[string, 'satisfied' | 'unsatisfied' | null]> = [
    ['1', 'satisfied'],
    ['2', 'unsatisfied'],
    ['１', 'satisfied'],
    ['２', 'unsatisfied'],
    [' 1。', 'satisfied'],
    ['满意', 'satisfied'],
    ['非常满意', 'satisfied'],
    ['很满意，谢谢师傅', 'satisfied'],
    ['1 满意', 'satisfied'],
    ['不满意', 'unsatisfied'],
    ['不太满意', 'unsatisfied'],
    ['不是很满意', 'unsatisfied'],
    ['很不满意', 'unsatisfied'],
    ['非常不满意', 'unsatisfied'],
    ['不满', 'unsatisfied'],
    ['2，维修太慢', 'unsatisfied'],
    ['不满意 13800000000', 'unsatisfied'],
    // Neither, or both: changes nothing.
    ['1 2', null],
    ['12', null],
    ['3', null],
    ['1 不满意', null],
    ['满意吗？不满意', null],
    ['请来电', null],
    ['我家电话是13800000000', null],
    ['', null],
  ];
  for (const [text, verdict] of cases) {
    it(`${JSON.stringify(text)} → ${verdict ?? 'unclear'}`, () => expect(verdictOf(text)).to.equal(verdict));
  }
});
