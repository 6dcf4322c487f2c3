import { expect } from 'chai';
import { DEMO_EXTENSIONS, demoPhoneBehaviour, setUpDemoPhones, YOUR_EXTENSION } from '../../scripts/demo-phones';
import { PbxModel } from '../../sim/pbx';

/** A fixed sequence standing in for Math.random, so every branch is taken on purpose. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('demo phones: 1001 is the person at the console, the others are simulated', () => {
  it('phone 1001 is never answered by the simulator, whatever the dice say, at start and after every re-roll', () => {
    const pbx = new PbxModel({ extensions: [...DEMO_EXTENSIONS] });
    const phones = setUpDemoPhones(pbx, sequence(0, 0.5, 0.999));
    expect(YOUR_EXTENSION).to.equal('1001');
    expect(pbx.phone('1001')?.behaviour).to.deep.equal({ kind: 'no-answer' });
    for (let call = 0; call < 20; call++) {
      phones.reroll();
      expect(pbx.phone('1001')?.behaviour).to.deep.equal({ kind: 'no-answer' });
    }
    for (const r of [0, 0.1, 0.29, 0.5, 0.999]) expect(demoPhoneBehaviour('1001', () => r)).to.deep.equal({ kind: 'no-answer' });
  });

  it('1002–1009 answer after 2–8 s; 1010 sometimes rings out so the 20-second alarm shows', () => {
    const pbx = new PbxModel({ extensions: [...DEMO_EXTENSIONS] });
    setUpDemoPhones(pbx, () => 0.999);
    for (const ext of DEMO_EXTENSIONS.filter((e) => e !== '1001')) {
      const b = pbx.phone(ext)?.behaviour;
      expect(b?.kind, ext).to.equal('answer');
      if (b?.kind === 'answer') expect(b.afterMs).to.be.within(2000, 8000);
    }
    expect(demoPhoneBehaviour('1002', () => 0)).to.deep.equal({ kind: 'answer', afterMs: 2000 });
    expect(demoPhoneBehaviour('1010', () => 0.1)).to.deep.equal({ kind: 'no-answer' });
    expect(demoPhoneBehaviour('1010', () => 0.5).kind).to.equal('answer');
  });

  it('covers exactly the ten demo agents, whose work numbers are their extensions', () => {
    expect(DEMO_EXTENSIONS).to.deep.equal(['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009', '1010']);
  });
});
