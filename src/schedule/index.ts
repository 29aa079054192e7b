/** Public surface of the schedule module: the motif cron dialect and the one-timer scheduler. */
export { CronSearchLimitError, CronSyntaxError, type CronFieldRef } from './errors';
export type { CronFieldName } from './fields';
export { parseCron, type ParseOptions } from './parse';
export type { CronSpec, CronField } from './spec';
export { CronSchedule, type CronScheduleOptions, type DstPolicy } from './cron-schedule';
export { datetimeToCron, offsetToRelativeCron, type DatetimeToCronOptions } from './datetime-to-cron';
export { describe, type DescribeOptions } from './describe';
export { describeRelative, durationWords, offsetText, relativeOffsets } from './describe-relative';
export { realClock, type Clock } from './clock';
export {
  Scheduler,
  type FireCallback,
  type MissedPolicy,
  type ScheduleEntry,
  type ScheduleEntryOptions,
  type SchedulerOptions,
} from './scheduler';
export { previewExpression, previewFromQuery, type PreviewAnswer, type PreviewRequest } from './preview';
export { shortWhen } from './when';
