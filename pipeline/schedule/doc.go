// Package schedule starts pipeline runs from triggers: [CronTrigger] (robfig/cron
// expressions and @daily, @monthly… descriptors, start and end dates,
// catch-up with one run per missed interval and its logical date),
// [CompletionTrigger] (another pipeline succeeded), [SuperTrigger] (ALL or
// ANY of other triggers; ALL fires once every listed trigger fired since its
// last firing, then resets), [EventTrigger] ([Scheduler.FireEvent]) and
// [FilesTrigger] (a batch of new files reaching a size threshold, from a
// storage subscription via [SubscriptionSource]; files go UNCONSUMED →
// RESERVED → ASSIGNED to the run → CONSUMED, or back to UNCONSUMED when the
// run fails, through storage.Backlog, the module's one element state
// machine; [Scheduler.FileStats] counts them per state).
//
// Trigger state (cron cursors, ALL progress, file states and the
// subscription cursor) lives in a [StateStore]: [SQLStateStore] in the
// status database (sqlstatus.DB gives its handle), [BucketStateStore] in
// storage, [MemoryStateStore] for tests. A cron cursor is saved before its
// run starts, so a restarted scheduler neither repeats nor skips an
// interval (a crash between saving and starting loses that one run).
//
// dart's workflow rules: pipelines, triggers and events are ACTIVE or
// INACTIVE ([Scheduler.SetPipelineState], [Scheduler.SetTriggerState],
// [Scheduler.SetEventState]; persisted in the StateStore with the reason);
// only active triggers fire and only active pipelines start runs, and a
// manual run ([Scheduler.RunNow]) of an inactive pipeline is refused with
// [ErrInactive] and the reason. A FAILED run is retried up to
// [PipelineOptions].RetriesOnFailure times (trigger "retry"; retry and
// manual runs are not offered to super triggers); once the retries are
// used up, a failure under pipeline.Deactivate (a task's OnFailure) makes
// the pipeline INACTIVE and says why. Cron expressions may be standard or
// AWS 6-field ones ([ParseSchedule]).
//
// Each pipeline has a limit on active runs ([PipelineOptions].MaxActiveRuns,
// default 1). A firing over the limit is dropped, not queued, as in dart, and
// counted ([Scheduler.Dropped]); a files batch is then not reserved, so its
// files wait. Cron intervals are the exception: an interval that finds the
// pipeline at its limit waits and starts on a later tick, so catch-up never
// loses a logical date.
//
// Several processes sharing the same triggers (replicas of a service)
// would each tick them; with [Options].Cron set, cron triggers are fired by
// an outside scheduler instead, exactly once per interval across them
// ([CronSchedules]; package pipeline/temporalexec puts them on Temporal
// Schedules), and follow the triggers' and pipelines' activation.
//
// A run fired by a cron trigger carries its data interval (its logical date
// to the activation that fired it, pipeline.RunOptions.DataInterval); other
// runs carry none.
//
// A pipeline spec file may declare its triggers in a triggers section
// ([SpecTrigger]: a [TriggerSpec] with an id, starting that pipeline).
// [SpecTriggers] reads it and [Scheduler.AddSpecTriggers] adds it as the
// operator's: like the host's triggers ([Scheduler.AddTrigger]) a request
// can set their state but not replace or delete them
// ([ErrOperatorTrigger]), unlike triggers put over the API
// ([Scheduler.PutTrigger]), which are the requests' own and cannot take an
// operator trigger's id.
package schedule
