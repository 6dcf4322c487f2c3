import { CATEGORY_LABEL } from '../models/enums';
import type { NoticeReason, OrderRef } from '../work-orders/ports';

/** The SMS of a notice (Art. 8, 10): order number, category, address; 紧急 for emergencies. */
export function noticeSms(o: Pick<OrderRef, 'number' | 'category' | 'address' | 'emergency'>, reason: NoticeReason): string {
  const urgent = o.emergency || reason === 'emergency' ? '【紧急】' : '';
  const what = `工单${o.number}，类别：${CATEGORY_LABEL[o.category]}，地址：${o.address}`;
  if (reason === 'urge') return `【952525热线】${urgent}催办：${what}，尚未办结，请尽快处理。`;
  return `【952525热线】${urgent}派单通知：${what}。请立即确认（接听通知电话按1，或在部门页面确认）并处理。`;
}
