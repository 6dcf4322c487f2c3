import { expect } from 'chai';
import { LIFECYCLE_ACTIONS, type LifecycleAction, type SessionUser } from '../../contracts';
import { WORK_ORDER_STATUSES, type WorkOrderStatus } from '../../models/enums';
import { judge, SYSTEM, TRANSITIONS, type Judged, type OrderFacts } from '../../work-orders/lifecycle';

/**
 * Every (action × status × who) against the issue's table, written out here on its own: allowed
 * exactly where the issue says, refused everywhere else with 403 (who), 409 (status) or 400 (the
 * missing text), each with a Chinese sentence.
 */

/** An engineering order with production taking part, owned by agent 1001. */
const ORDER: Omit<OrderFacts, 'status'> = { department: 'engineering', participants: ['production'], owner: '1001' };

const WHO: Record<string, Judged> = {
  system: SYSTEM,
  'owner agent': { workNumber: '1001', name: '陈嘉欣', role: 'agent' },
  'another agent': { workNumber: '1002', name: '李婉婷', role: 'agent' },
  supervisor: { workNumber: '2001', name: '林国栋', role: 'supervisor' },
  admin: { workNumber: '9001', name: '郑海', role: 'admin' },
  'lead department': { workNumber: '3001', name: '工程公司值班员', role: 'department', department: 'engineering' },
  'lead department leader': { workNumber: '3311', name: '工程公司负责人', role: 'department', department: 'engineering', leader: true },
  'participant department': { workNumber: '3201', name: '生产部值班员', role: 'department', department: 'production' },
  'another department': { workNumber: '3101', name: '营业部值班员', role: 'department', department: 'business' },
};

const DEPT = ['lead department', 'lead department leader', 'participant department'];
const CALL_CENTRE = ['owner agent', 'supervisor', 'admin'];

/** The issue's table: who may take each action, from which statuses, and what text it needs. */
const EXPECTED: Record<LifecycleAction, { who: string[]; from: WorkOrderStatus[]; to: WorkOrderStatus; needs?: 'result' | 'reason' }> = {
  dispatch: { who: ['system'], from: ['open'], to: 'dispatched' },
  accept: { who: DEPT, from: ['open', 'dispatched'], to: 'accepted' },
  start: { who: DEPT, from: ['accepted'], to: 'in_progress' },
  resolve: { who: DEPT, from: ['accepted', 'in_progress'], to: 'resolved', needs: 'result' },
  archive: { who: CALL_CENTRE, from: ['resolved'], to: 'archived' },
  reopen: { who: CALL_CENTRE, from: ['resolved', 'archived'], to: 'dispatched', needs: 'reason' },
};

const HAN = /[\u4e00-\u9fff]/;

describe('work-order lifecycle table (judge)', () => {
  let combinations = 0;
  for (const action of LIFECYCLE_ACTIONS) {
    const spec = EXPECTED[action];
    describe(action, () => {
      for (const status of WORK_ORDER_STATUSES) {
        for (const [name, user] of Object.entries(WHO)) {
          combinations++;
          const mayAct = spec.who.includes(name);
          const inStatus = spec.from.includes(status);
          const label = `${name} in ${status}: ${!mayAct ? '403' : !inStatus ? '409' : spec.needs ? `400 without ${spec.needs}, ok with it` : 'ok'}`;
          it(label, () => {
            const order: OrderFacts = { ...ORDER, status };
            const full = { result: '已更换阀门，恢复供水', reason: '用户反映仍然漏水' };
            const v = judge(action, order, user, full);
            if (!mayAct) {
              expect(v).to.include({ ok: false, status: 403, code: 'forbidden' });
            } else if (!inStatus) {
              expect(v).to.include({ ok: false, status: 409, code: 'conflict' });
            } else {
              expect(v.ok, JSON.stringify(v)).to.equal(true);
              expect(v.ok && v.transition.to).to.equal(spec.to);
            }
            if (!v.ok) {
              expect(v.zh).to.match(HAN);
              expect(v.message).not.to.match(HAN);
            }
            if (mayAct && inStatus && spec.needs) {
              for (const missing of [{}, { [spec.needs]: '   ' }]) {
                const bare = judge(action, order, user, missing);
                expect(bare).to.include({ ok: false, status: 400, code: 'bad_request' });
                expect(!bare.ok && bare.zh).to.match(HAN);
              }
            }
          });
        }
      }
    });
  }

  it('covers every action × status × who (and the table has no action the issue does not name)', () => {
    expect(combinations).to.equal(LIFECYCLE_ACTIONS.length * WORK_ORDER_STATUSES.length * Object.keys(WHO).length);
    expect(Object.keys(TRANSITIONS).sort()).to.deep.equal([...LIFECYCLE_ACTIONS].sort());
    for (const a of LIFECYCLE_ACTIONS) expect({ from: [...TRANSITIONS[a].from], to: TRANSITIONS[a].to }).to.deep.equal({ from: EXPECTED[a].from, to: EXPECTED[a].to });
  });

  it('says in Chinese why: accept after archive, result before accept, another department, another agent', () => {
    const dept = WHO['lead department'] as SessionUser;
    const acceptArchived = judge('accept', { ...ORDER, status: 'archived' }, dept);
    expect(acceptArchived).to.deep.include({ ok: false, status: 409 });
    expect(!acceptArchived.ok && acceptArchived.zh).to.equal('工单当前为「已归档」，不能受理（须为「待派单」或「已派单」）');
    const early = judge('resolve', { ...ORDER, status: 'dispatched' }, dept, { result: '已修复' });
    expect(!early.ok && early.zh).to.equal('工单当前为「已派单」，不能办结（须为「已受理」或「处理中」）');
    const other = judge('accept', { ...ORDER, status: 'dispatched' }, WHO['another department']!);
    expect(!other.ok && other.zh).to.equal('该工单属于工程公司，本部门无权操作');
    const agent = judge('archive', { ...ORDER, status: 'resolved' }, WHO['another agent']!);
    expect(!agent.ok && agent.zh).to.contain('首问负责制');
    const noResult = judge('resolve', { ...ORDER, status: 'in_progress' }, dept, {});
    expect(!noResult.ok && noResult.zh).to.equal('请填写办理结果后再办结');
  });

  it('an order stored before owners existed is its creator’s: the owner passed in decides, nobody else', () => {
    const unowned: OrderFacts = { ...ORDER, owner: null, status: 'resolved' };
    expect(judge('archive', unowned, WHO['owner agent']!).ok).to.equal(false);
    expect(judge('archive', unowned, WHO.supervisor!).ok).to.equal(true);
  });
});
