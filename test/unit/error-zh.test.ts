import { expect } from 'chai';
import mongoose from 'mongoose';
import { z } from 'zod';
import { AppError, conflict, describeError, notFound, zodProblem } from '../../core/errors';
import {
  createWorkOrderSchema,
  FIELD_LABEL_ZH,
  loginRequestSchema,
  setStateSchema,
  ZH_VOCABULARY,
  zhForCode,
  zhForField,
  type FieldProblem,
} from '../../contracts';

/** What a person must never be shown: a text with no Chinese at all (an English message). */
const HAN = /\p{Script=Han}/u;

const refusal = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  expect(r.success, 'the input should be refused').to.equal(false);
  return describeError(r.error, ZH_VOCABULARY);
};
const zhOfField = (d: ReturnType<typeof describeError>, field: string) => d.details?.find((x) => x.field === field)?.zh;

const good = { category: 'inquiry', contactPhone: '13900001111', address: '东城区东风路 12 号', description: '咨询水费' };

describe('errors in Chinese: zod issues → field sentences (core/errors.ts + contracts/zh.ts)', () => {
  it('says which field is empty, by its Chinese name: 「请填写情况描述」', () => {
    const d = refusal(createWorkOrderSchema, { ...good, description: '   ', address: '' });
    expect(d).to.include({ status: 400, code: 'validation' });
    expect(zhOfField(d, 'description')).to.equal('请填写情况描述');
    expect(zhOfField(d, 'address')).to.equal('请填写地址');
    // The English stays for logs and API users, word for word what zod said.
    expect(d.message).to.match(/^address: Too small.*; description: Too small/);
    expect(d.zh).to.equal('请填写地址；请填写情况描述');
  });

  it('a missing key reads as empty, not as a type error (zod drops the input; its message is the sign)', () => {
    const d = refusal(createWorkOrderSchema, { category: 'inquiry', address: 'x' });
    expect(zhOfField(d, 'contactPhone')).to.equal('请填写联系电话');
    expect(zhOfField(d, 'description')).to.equal('请填写情况描述');
    // Pins the zod wording the classification relies on: an upgrade that changes it fails here.
    const issue = createWorkOrderSchema.safeParse({}).error!.issues.find((i) => i.path[0] === 'description')!;
    expect(issue.message).to.match(/received undefined$/);
    expect(zodProblem(issue)).to.deep.equal({ kind: 'required' });
  });

  it('uses the domain sentence where there is one: 「联系电话格式不正确…」, the location of a leak, the category', () => {
    const d = refusal(createWorkOrderSchema, { ...good, category: 'leak', contactPhone: 'abc-123' });
    expect(zhOfField(d, 'contactPhone')).to.match(/^联系电话格式不正确/);
    expect(zhOfField(d, 'leak.location')).to.equal('报漏、报障和爆管须填写具体位置');
    const c = refusal(createWorkOrderSchema, { ...good, category: 'swimming' });
    expect(zhOfField(c, 'category')).to.equal('请选择工单类别');
  });

  it('refuses a description over 4000 characters (never cuts it) and says the limit', () => {
    const d = refusal(createWorkOrderSchema, { ...good, description: '漏'.repeat(5500) });
    expect(zhOfField(d, 'description')).to.equal('情况描述不能超过 4000 字');
    expect(createWorkOrderSchema.safeParse({ ...good, description: '漏'.repeat(4000) }).success).to.equal(true);
  });

  it('names nested fields, numbers and unknown keys in Chinese', () => {
    const d = refusal(createWorkOrderSchema, { ...good, category: 'leak', leak: { location: '门口', pipeDiameterMm: 2.5 }, colour: 'red' });
    expect(zhOfField(d, 'leak.pipeDiameterMm')).to.equal('管径须为整数（毫米）');
    expect(zhOfField(d, '')).to.equal('提交的内容含有系统不认识的项（colour）');
    const big = refusal(createWorkOrderSchema, { ...good, category: 'leak', leak: { location: '门口', pipeDiameterMm: 5000 } });
    expect(zhOfField(big, 'leak.pipeDiameterMm')).to.equal('管径应在 1–3000 毫米之间');
  });

  it('covers the other contracts too: log-in and the agent state commands', () => {
    expect(zhOfField(refusal(loginRequestSchema, { workNumber: 'ab', password: '' }), 'workNumber')).to.equal('工号应为 3–6 位数字');
    expect(zhOfField(refusal(loginRequestSchema, { workNumber: '1001', password: '' }), 'password')).to.equal('请输入密码');
    expect(zhOfField(refusal(setStateSchema, { state: 'not_ready' }), 'reason')).to.equal('请选择未就绪原因');
  });

  it('gives every kind of problem a Chinese sentence, for labelled and unlabelled fields', () => {
    const problems: FieldProblem[] = [
      { kind: 'required' }, { kind: 'too_long', max: 10 }, { kind: 'too_long', max: 10, actual: 12 }, { kind: 'too_short', min: 2 },
      { kind: 'too_large', max: 9 }, { kind: 'too_small', min: 1 }, { kind: 'integer' }, { kind: 'number' }, { kind: 'format' },
      { kind: 'choice' }, { kind: 'unknown_keys', keys: ['x'] }, { kind: 'custom' }, { kind: 'invalid' },
    ];
    for (const field of [...Object.keys(FIELD_LABEL_ZH), 'somethingNew', 'items.0.name', '']) {
      for (const p of problems) expect(zhForField(field, p), `${field} ${p.kind}`).to.match(HAN);
    }
    expect(zhForField('description', { kind: 'too_long', max: 4000, actual: 5500 })).to.equal('情况描述不能超过 4000 字（现有 5500 字）');
  });
});

describe('errors in Chinese: every error description carries zh', () => {
  it('an AppError keeps the thrower’s sentence, or gets its code’s', () => {
    expect(describeError(conflict('not ringing', '该来电已不在振铃，无法拒接'), ZH_VOCABULARY)).to.deep.equal({
      status: 409,
      code: 'conflict',
      message: 'not ringing',
      zh: '该来电已不在振铃，无法拒接',
    });
    expect(describeError(notFound('alarm x'), ZH_VOCABULARY).zh).to.equal('未找到相关记录');
    expect(describeError(new AppError(418, 'teapot', 'short and stout'), ZH_VOCABULARY).zh).to.equal('操作失败，请稍后再试');
  });

  it('mongoose validation, a duplicate key, bad JSON and anything else', async () => {
    const M = mongoose.model('ZhProbe', new mongoose.Schema({ address: { type: String, required: true, maxlength: 5 }, phone: { type: String, match: /^\d+$/ } }));
    const err = await new M({ phone: 'x' }).validate().catch((e: unknown) => e);
    const d = describeError(err, ZH_VOCABULARY);
    expect(d.code).to.equal('validation');
    expect(zhOfField(d, 'address')).to.equal('请填写地址');
    expect(zhOfField(d, 'phone')).to.equal('字段「phone」格式不正确');
    const long = await new M({ address: '123456' }).validate().catch((e: unknown) => e);
    expect(zhOfField(describeError(long, ZH_VOCABULARY), 'address')).to.equal('地址不能超过 5 字');
    expect(describeError({ code: 11000 }, ZH_VOCABULARY)).to.include({ code: 'conflict', zh: '该记录已存在' });
    expect(describeError({ type: 'entity.parse.failed' }, ZH_VOCABULARY)).to.include({ code: 'bad_json' });
    const internal = describeError(new Error('secret stack detail'), ZH_VOCABULARY);
    expect(internal).to.deep.equal({ status: 500, code: 'internal', message: 'internal error', zh: '系统内部错误，请稍后再试或联系管理员' });
  });

  it('each code the server sends has Chinese text', () => {
    for (const code of ['validation', 'bad_request', 'bad_json', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited', 'unavailable', 'bad_range', 'internal', 'unknown-new-code']) {
      expect(zhForCode(code), code).to.match(HAN);
    }
  });
});
