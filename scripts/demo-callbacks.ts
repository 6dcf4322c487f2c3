import type { CtiNode } from '../main';
import type { SessionUser } from '../contracts';

/**
 * The demo opens with phone callbacks to make (回访任务 on 1001's console): two complaints, filed by
 * an agent and resolved by 营业部 through the real work-order service, which makes each its phone
 * callback as production does. Only when none is pending, so restarting the demo adds none.
 */
export async function seedDemoCallbacks(node: CtiNode): Promise<number> {
  const { models, services } = node;
  if (await models.Callback.exists({ method: 'phone', status: 'pending' })) return 0;
  const person = async (workNumber: string): Promise<SessionUser> => {
    const a = (await models.Agent.findOne({ workNumber }).lean())!;
    return { workNumber, name: a.name, role: a.role as SessionUser['role'], ...(a.department ? { department: a.department as NonNullable<SessionUser['department']> } : {}) };
  };
  const [agent, clerk] = [await person('1002'), await person('3101')];
  const complaints = [
    { contactName: '梁女士', contactPhone: '13912345678', address: '东风路 18 号 3 栋', description: '抄表员态度差，估抄水量', result: '已约谈抄表员并向客户致歉，水量按实抄更正' },
    { contactName: '何先生', contactPhone: '13725550123', address: '人民北路 66 号', description: '营业厅排队过久，无人引导', result: '已增设引导岗并回复客户' },
  ];
  for (const c of complaints) {
    const wo = await services.workOrders.create({ category: 'complaint', contactName: c.contactName, contactPhone: c.contactPhone, address: c.address, description: c.description }, agent);
    await services.workOrders.act('accept', wo.number, clerk);
    await services.workOrders.act('resolve', wo.number, clerk, { result: c.result });
  }
  return complaints.length;
}
