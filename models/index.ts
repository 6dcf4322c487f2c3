import type { Connection } from 'mongoose';
import { agentModel } from './agent';
import { alarmModel } from './alarm';
import { callModel } from './call';
import { callbackModel } from './callback';
import { callerPreferenceModel } from './caller-preference';
import { customerModel } from './customer';
import { departmentModel } from './department';
import { dispatchEntryModel } from './dispatch-entry';
import { monthlyReportModel } from './monthly-report';
import { noticeModel } from './notice';
import { areaContactModel, outageModel } from './outage';
import { recordingModel } from './recording';
import { recordingAccessModel } from './recording-access';
import { shiftModel } from './shift';
import { smsMessageModel } from './sms-message';
import { workOrderModel } from './work-order';

/** Every collection bound to one connection: no global mongoose models, so tests can open several. */
export function createModels(conn: Connection) {
  return {
    Agent: agentModel(conn),
    Department: departmentModel(conn),
    Customer: customerModel(conn),
    Call: callModel(conn),
    Recording: recordingModel(conn),
    RecordingAccess: recordingAccessModel(conn),
    WorkOrder: workOrderModel(conn),
    Callback: callbackModel(conn),
    Outage: outageModel(conn),
    AreaContact: areaContactModel(conn),
    DispatchEntry: dispatchEntryModel(conn),
    Alarm: alarmModel(conn),
    Shift: shiftModel(conn),
    CallerPreference: callerPreferenceModel(conn),
    SmsMessage: smsMessageModel(conn),
    Notice: noticeModel(conn),
    MonthlyReport: monthlyReportModel(conn),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Builds the indexes the queries rely on (unique work numbers, alarm keys...) before serving. */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.createIndexes();
}
