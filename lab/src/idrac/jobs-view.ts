import type { IdracJob } from '../world/types';
import type { HostState } from '../world/types';

type Json = Record<string, unknown>;

export const DELL_JOBS = '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs';
export const MANAGER_JOBS = '/redfish/v1/Managers/iDRAC.Embedded.1/Jobs';
export const REDFISH_JOBS = '/redfish/v1/JobService/Jobs';
export const TASKS = '/redfish/v1/TaskService/Tasks';

/** Redfish TaskState/JobState for a Dell job state. */
function redfishState(job: IdracJob): { state: string; status: string } {
  switch (job.state) {
    case 'Completed':
      return { state: 'Completed', status: 'OK' };
    case 'CompletedWithErrors':
      return { state: 'Completed', status: 'Warning' };
    case 'Failed':
      return { state: 'Exception', status: 'Critical' };
    case 'Running':
    case 'Downloading':
      return { state: 'Running', status: 'OK' };
    case 'New':
      return { state: 'New', status: 'OK' };
    default:
      return { state: 'Pending', status: 'OK' };
  }
}

/** The DellJob shape (as captured under Oem/Dell/Jobs). */
export function dellJob(job: IdracJob, base: string): Json {
  const done = job.completionTime;
  return {
    '@odata.context': '/redfish/v1/$metadata#DellJob.DellJob',
    '@odata.id': `${base}/${job.id}`,
    '@odata.type': '#DellJob.v1_2_0.DellJob',
    ActualRunningStartTime: job.state === 'Running' || done ? job.startTime : null,
    ActualRunningStopTime: done ?? null,
    CompletionTime: done ?? null,
    Description: 'Job Instance',
    EndTime: 'TIME_NA',
    Id: job.id,
    JobState: job.state,
    JobType: job.jobType,
    Message: job.message,
    MessageArgs: [],
    'MessageArgs@odata.count': 0,
    MessageId: job.messageId,
    Name: job.name,
    PercentComplete: job.percent,
    StartTime: job.startTime,
    TargetSettingsURI: null,
  };
}

function messages(job: IdracJob): Json[] {
  return [
    {
      Message: job.message,
      MessageId: `IDRAC.2.8.${job.messageId}`,
      MessageArgs: [],
      'MessageArgs@odata.count': 0,
    },
  ];
}

/** The Redfish Job shape (as captured under JobService/Jobs). */
export function redfishJob(job: IdracJob): Json {
  const { state, status } = redfishState(job);
  return {
    '@odata.context': '/redfish/v1/$metadata#Job.Job',
    '@odata.id': `${REDFISH_JOBS}/${job.id}`,
    '@odata.type': '#Job.v1_0_7.Job',
    Description: 'Represent a job in Redfish',
    Id: job.id,
    Name: job.name,
    JobState: state,
    JobStatus: status,
    PercentComplete: job.percent,
    StartTime: job.startTime,
    EndTime: job.completionTime ?? null,
    Messages: messages(job),
    'Messages@odata.count': 1,
  };
}

/** A TaskService task: what the `Location` of an update or export points at. */
export function task(job: IdracJob): Json {
  const { state, status } = redfishState(job);
  const oem = dellJob(job, DELL_JOBS);
  delete oem['@odata.context'];
  delete oem['@odata.id'];
  return {
    '@odata.context': '/redfish/v1/$metadata#Task.Task',
    '@odata.id': `${TASKS}/${job.id}`,
    '@odata.type': '#Task.v1_5_1.Task',
    Description: 'Server Configuration and other Tasks running on iDRAC are listed here',
    EndTime: job.completionTime ?? '',
    Id: job.id,
    Messages: messages(job),
    'Messages@odata.count': 1,
    Name: job.name,
    Oem: { Dell: { ...oem, '@odata.type': '#DellJob.v1_2_0.DellJob' } },
    PercentComplete: job.percent,
    StartTime: job.startTime,
    TaskState: state,
    TaskStatus: status,
  };
}

export function jobCollection(
  host: HostState,
  kind: 'dell' | 'manager' | 'redfish' | 'tasks',
  template: Json,
): Json {
  const base = { dell: DELL_JOBS, manager: MANAGER_JOBS, redfish: REDFISH_JOBS, tasks: TASKS }[kind];
  const j = structuredClone(template);
  j['@odata.id'] = base;
  const ids = [...host.jobs.keys()];
  j.Members = ids.map((id) => ({ '@odata.id': `${base}/${id}` }));
  j['Members@odata.count'] = ids.length;
  return j;
}
