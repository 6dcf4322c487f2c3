import { expect } from 'chai';
import { loadConfig } from '../../core/config';
import { unansweredResult } from '../../cti/notice-call/notice-call-session';
import { noticeChannelId } from '../../cti/notice-call/notice-calls';
import { NoticeSpeech, spokenText } from '../../cti/notice-call/notice-speech';
import { noticeMedia, PROMPT_KEYS } from '../../cti/prompts';
import { recordingFile } from '../../recordings/routes';
import { noticeSms } from '../../notices/notice-text';

describe('notice call: ids, prompt, SMS text, causes, settings', () => {
  it('channel ids are safe recording names the recordings route serves', () => {
    const id = noticeChannelId('WO20261201-0001.dispatch.1.+8613800001111', 2);
    expect(id).to.equal('notice-WO20261201-0001-dispatch-1-8613800001111-2');
    expect(recordingFile({ recordings: '/r', monitor: '/m' }, id)?.file).to.equal(`${id}.wav`);
  });

  it('reads the order number digit by digit, then category and address, then asks for 1 or 2', () => {
    const m = noticeMedia({ number: 'WO20261201-0007', reason: 'dispatch', emergency: false }, 'sound:hotline-notices/x');
    expect(m[0]).to.equal('sound:hotline/cmn/notice-intro');
    expect(m.slice(1, 13)).to.deep.equal([...'202612010007'].map((d) => `sound:hotline/cmn/digit-${d}`));
    expect(m.slice(13)).to.deep.equal(['sound:hotline-notices/x', 'sound:hotline/cmn/notice-press']);
    expect(noticeMedia({ number: 'WO20261201-0007', reason: 'emergency', emergency: true }, null)[0]).to.equal('sound:hotline/cmn/notice-emergency');
    expect(noticeMedia({ number: 'WO20261201-0007', reason: 'urge', emergency: false }, null)[0]).to.equal('sound:hotline/cmn/notice-urge');
    for (const k of ['notice-intro', 'notice-emergency', 'notice-urge', 'notice-press', 'notice-thanks', 'notice-unconfirmed']) expect(PROMPT_KEYS).to.include(k);
  });

  it('speaks category and address; a changed address gets a new file name', () => {
    const o = { number: 'WO20261201-0007', category: 'pipe_burst' as const, address: '人民路  12号' };
    expect(spokenText(o)).to.equal('类别，爆管。地址，人民路 12号。');
    expect(NoticeSpeech.fileName(o)).to.match(/^WO20261201-0007-[0-9a-f]{12}$/);
    expect(NoticeSpeech.fileName({ ...o, address: '人民路14号' })).to.not.equal(NoticeSpeech.fileName(o));
  });

  it('SMS text names number, category and address; 紧急 for emergencies; 催办 for urging', () => {
    const o = { number: 'WO20261201-0007', category: 'leak' as const, address: '人民路12号', emergency: false };
    expect(noticeSms(o, 'dispatch')).to.contain('WO20261201-0007').and.contain('报漏').and.contain('人民路12号').and.not.contain('紧急');
    expect(noticeSms({ ...o, emergency: true }, 'dispatch')).to.contain('紧急');
    expect(noticeSms(o, 'emergency')).to.contain('紧急');
    expect(noticeSms(o, 'urge')).to.contain('催办');
  });

  it('unanswered causes: 17 busy, 19 no answer, congestion unreachable', () => {
    expect(unansweredResult(17)).to.equal('busy');
    expect(unansweredResult(19)).to.equal('no-answer');
    expect(unansweredResult(34)).to.equal('unreachable');
    expect(unansweredResult(undefined)).to.equal('failed');
  });

  it('settings: production defaults, channels validated', () => {
    const c = loadConfig({});
    expect(c.NOTICE_CHANNELS).to.deep.equal(['sms', 'call']);
    expect(c).to.include({ NOTICE_TRUNK_ENDPOINT: 'carrier', NOTICE_CALL_RETRY_MS: 60_000, NOTICE_CALL_RING_SEC: 30, NOTICE_SOUNDS_MEDIA: 'hotline-notices' });
    expect(loadConfig({ NOTICE_CHANNELS: 'sms' }).NOTICE_CHANNELS).to.deep.equal(['sms']);
    expect(() => loadConfig({ NOTICE_CHANNELS: 'fax' })).to.throw(/NOTICE_CHANNELS/);
  });
});
