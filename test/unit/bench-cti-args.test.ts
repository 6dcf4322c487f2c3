import { join } from 'node:path';
import { expect } from 'chai';
import { startScriptNodeArgs } from '../../scripts/bench/cti';
import { loadConfig } from '../../core/config';

describe('bench: the CTI runs with npm start\'s node options', () => {
  const root = join(__dirname, '..', '..');

  it('caps the heap at the configured default unless CTI_HEAP_MB says otherwise', () => {
    expect(startScriptNodeArgs(root, {})).to.deep.equal([`--max-old-space-size=${loadConfig({}).CTI_HEAP_MB}`]);
    expect(startScriptNodeArgs(root, { CTI_HEAP_MB: '512' })).to.deep.equal(['--max-old-space-size=512']);
  });
});
