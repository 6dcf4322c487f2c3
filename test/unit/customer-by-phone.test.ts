import { expect } from 'chai';
import type { Model } from 'mongoose';
import { customerByPhone, type CustomerDoc } from '../../models/customer';
import { deferred, type Deferred } from './deferred';

/** A Customer model whose lookups the test settles by hand, recording each filter asked. */
function fakeCustomers() {
  const asked: Array<{ filter: unknown; answer: Deferred<CustomerDoc | null> }> = [];
  const findOne = (filter: unknown) => {
    const answer = deferred<CustomerDoc | null>();
    asked.push({ filter, answer });
    return { lean: () => ({ exec: () => answer.promise }) };
  };
  return { asked, model: { findOne } as unknown as Pick<Model<CustomerDoc>, 'findOne'> };
}

describe('customerByPhone: one lookup for the greeting and the screen-pop of a call', () => {
  it('a second ask for the same number while the first is in flight shares it; another number is its own lookup', async () => {
    const { asked, model } = fakeCustomers();
    const a = customerByPhone(model, '13800000001');
    const b = customerByPhone(model, '13800000001');
    const c = customerByPhone(model, '13800000002');
    expect(asked.map((x) => x.filter)).to.deep.equal([{ phones: '13800000001' }, { phones: '13800000002' }]);
    const doc = { accountNumber: '100001', name: '陈先生', phones: ['13800000001'], address: '东城路 1 号', areaCode: 'DC-01', bigUser: false } as CustomerDoc;
    asked[0]!.answer.resolve(doc);
    asked[1]!.answer.resolve(null);
    expect(await a).to.equal(doc);
    expect(await b).to.equal(doc);
    expect(await c).to.equal(null);
  });

  it('a found answer is kept for the pop that asks a few round trips later; a failed lookup is not handed to the next', async () => {
    const { asked, model } = fakeCustomers();
    const first = customerByPhone(model, '13800000003');
    asked[0]!.answer.reject(new Error('database down'));
    expect(((await first.catch((e: Error) => e)) as Error).message).to.equal('database down');
    const again = customerByPhone(model, '13800000003');
    expect(asked).to.have.length(2);
    asked[1]!.answer.resolve(null);
    expect(await again).to.equal(null);
    // The read is done: the second ask of the call (the screen-pop's) is answered without a read.
    expect(await customerByPhone(model, '13800000003')).to.equal(null);
    expect(asked).to.have.length(2);
  });
});
