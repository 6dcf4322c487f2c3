/**
 * The Chinese a person reads when a request is refused: field labels, the domain's own sentences
 * and the text of each error code. The server builds every error's `zh` from these
 * (core/errors.ts `describeError`, handed this vocabulary by api/ and ws/), and the agent's
 * form checks its fields with the same words before sending, so both say the same thing.
 *
 * No zod here, on purpose: this is the one contracts file the browser bundles as a value
 * (test/unit/architecture.test.ts holds it to that).
 */

import type { FieldProblem } from '../core/errors';
import type { AgentState } from '../models/enums';
import type { MonitorMode } from './monitor';
import type { CheckItem } from './health';

/** One field's problem, as core/errors.ts classifies zod and mongoose issues (declared there, once). */
export type { FieldProblem };

export type FieldProblemKind = FieldProblem['kind'];

/** Dotted field path of a request → what the page calls it. */
export const FIELD_LABEL_ZH: Readonly<Record<string, string>> = {
  // work orders
  category: '工单类别',
  callId: '来电编号',
  /** Supervisor monitoring (监听/耳语/强插). */
  mode: '监听方式',
  customerAccount: '户号',
  contactName: '联系人',
  contactPhone: '联系电话',
  address: '地址',
  description: '情况描述',
  leak: '漏水/故障信息',
  'leak.location': '具体位置',
  'leak.pipeDiameterMm': '管径',
  'leak.meterSide': '表前/表后',
  'leak.landmarks': '附近标志物',
  number: '工单号',
  status: '工单状态',
  department: '部门',
  limit: '条数',
  // log-in
  workNumber: '工号',
  password: '密码',
  // agent commands
  state: '坐席状态',
  reason: '未就绪原因',
  attempt: '振铃序号',
  // alarms and recordings
  alarmId: '告警编号',
  id: '编号',
  name: '录音名称',
  grant: '播放凭证',
  // the order's life (issue 12)
  result: '办理结果',
  reopenReason: '重新派单原因',
  escalationReason: '升级原因',
  extensionReason: '延期原因',
  newDueBy: '延期后的办结时间',
  decision: '审批结果',
  note: '备注',
  to: '接手坐席工号',
  departments: '协办部门',
  action: '操作',
};

/** Where the domain has a sentence of its own; anything else gets the generic phrase with the label. */
export const FIELD_SENTENCE_ZH: Readonly<Record<string, Partial<Record<FieldProblemKind, string>>>> = {
  category: { required: '请选择工单类别', choice: '请选择工单类别' },
  contactPhone: { required: '请填写联系电话', format: '联系电话格式不正确，应为 3–20 位数字' },
  customerAccount: { format: '户号格式不正确，应为 6–12 位数字' },
  callId: { format: '来电编号无效，请刷新页面后重试' },
  // Art. 13: a leak or fault report is not actionable without the exact location.
  'leak.location': { required: '报漏、报障和爆管须填写具体位置', custom: '报漏、报障和爆管须填写具体位置' },
  'leak.pipeDiameterMm': {
    integer: '管径须为整数（毫米）',
    number: '管径须为数字（毫米）',
    too_small: '管径应在 1–3000 毫米之间',
    too_large: '管径应在 1–3000 毫米之间',
  },
  'leak.meterSide': { choice: '请选择表前、表后或不确定' },
  workNumber: { required: '请输入工号', format: '工号应为 3–6 位数字' },
  password: { required: '请输入密码' },
  reason: { required: '请选择未就绪原因', custom: '请选择未就绪原因', choice: '请选择未就绪原因' },
  result: { required: '请填写办理结果后再办结' },
  reopenReason: { required: '请填写重新派单原因' },
  escalationReason: { required: '请填写升级原因' },
  extensionReason: { required: '请填写延期原因' },
  newDueBy: { required: '请选择延期后的办结时间', number: '请选择延期后的办结时间', integer: '请选择延期后的办结时间', too_small: '请选择延期后的办结时间' },
  decision: { required: '请选择批准或驳回', choice: '请选择批准或驳回' },
  to: { required: '请填写接手坐席的工号', format: '接手坐席工号应为 3–6 位数字' },
  departments: { required: '请选择协办部门', choice: '请从列表中选择协办部门' },
  action: { required: '请求的操作无效，请刷新页面后重试', choice: '请求的操作无效，请刷新页面后重试', invalid: '请求的操作无效，请刷新页面后重试' },
};

/** The label of a field: its full path, else its last part; never the raw English name if avoidable. */
export function fieldLabelZh(field: string): string {
  if (!field) return '提交的内容';
  const last = field.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? field;
  return FIELD_LABEL_ZH[field] ?? FIELD_LABEL_ZH[last] ?? `字段「${field}」`;
}

/** The sentence for one field's problem (「请填写情况描述」「情况描述不能超过 4000 字」). */
export function zhForField(field: string, problem: FieldProblem): string {
  const own = FIELD_SENTENCE_ZH[field]?.[problem.kind];
  if (own) return own;
  const label = fieldLabelZh(field);
  switch (problem.kind) {
    case 'required':
      return `请填写${label}`;
    case 'too_long':
      return `${label}不能超过 ${problem.max} 字${problem.actual !== undefined ? `（现有 ${problem.actual} 字）` : ''}`;
    case 'too_short':
      return `${label}至少需要 ${problem.min} 字`;
    case 'too_large':
      return `${label}不能大于 ${problem.max}`;
    case 'too_small':
      return `${label}不能小于 ${problem.min}`;
    case 'integer':
      return `${label}须为整数`;
    case 'number':
      return `${label}须为数字`;
    case 'format':
      return `${label}格式不正确`;
    case 'choice':
      return `请从列表中选择${label}`;
    case 'unknown_keys':
      return `${label}含有系统不认识的项（${problem.keys.join('、')}）`;
    case 'custom':
    case 'invalid':
      return `${label}填写有误`;
  }
}

/** The text of each error code, for errors that carry no sentence of their own. */
export const ERROR_CODE_ZH: Readonly<Record<string, string>> = {
  validation: '填写的内容有误，请检查后重试',
  bad_request: '请求有误，请检查后重试',
  bad_json: '提交的数据格式有误，请刷新页面后重试',
  too_large: '提交的内容过大，请精简后重试',
  unsupported_media: '提交的数据编码不受支持，请刷新页面后重试',
  unauthorized: '登录已失效，请重新登录',
  forbidden: '当前账号无权进行此操作',
  not_found: '未找到相关记录',
  conflict: '操作与当前状态冲突，请刷新后重试',
  duplicate: '该记录已存在',
  rate_limited: '操作过于频繁，请稍后再试',
  unavailable: '服务暂不可用，请稍后再试',
  bad_range: '请求的录音片段无效',
  internal: '系统内部错误，请稍后再试或联系管理员',
};

export function zhForCode(code: string): string {
  return ERROR_CODE_ZH[code] ?? '操作失败，请稍后再试';
}

/** Agent states as the consoles name them, for refusals that quote them. */
export const AGENT_STATE_ZH: Readonly<Record<AgentState, string>> = {
  offline: '离线',
  ready: '就绪',
  not_ready: '未就绪',
  reserved: '分配中',
  ringing: '振铃',
  talking: '通话中',
  acw: '话后处理',
};

/** Supervisor monitoring's modes as the board, the audit page and the refusals name them. */
export const MONITOR_MODE_ZH: Readonly<Record<MonitorMode, string>> = { listen: '监听', whisper: '耳语', barge: '强插' };

/** The self-check's items as the admin page and the silence alarm name them. */
export const SELF_CHECK_ITEM_ZH: Readonly<Record<CheckItem['item'], string>> = {
  ari: 'ARI 与热线应用',
  ami: 'AMI 登录',
  trunk: '中继注册',
  'agent-phones': '坐席话机',
  redis: 'Redis',
  mongodb: 'MongoDB',
  'test-call': '模拟来电',
};

/** What api/ and ws/ hand to core's `describeError`. */
export const ZH_VOCABULARY = { code: zhForCode, field: zhForField } as const;
