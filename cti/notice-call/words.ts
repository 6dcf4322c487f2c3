import type { WorkOrderCategory } from '../../models/enums';

/** Category names as the call centre says and writes them (DOMAIN.md "Work orders"). */
export const CATEGORY_ZH: Readonly<Record<WorkOrderCategory, string>> = {
  leak: '报漏',
  fault: '报障',
  pipe_burst: '爆管',
  water_quality: '水质',
  pressure: '水压',
  billing: '收费',
  metering: '计量',
  quality: '质量',
  service_conduct: '文明服务',
  inquiry: '咨询',
  complaint: '投诉',
  report: '举报',
  installation: '报装',
  meter_relocation: '表位改造',
  after_meter_repair: '表后维修',
};
