// Package temporalexec runs pipeline runs on Temporal: a run is a workflow,
// each attempt of each task instance an activity on a task queue, served by
// workers on any number of machines (datafactory worker, or any host that
// calls [Register] in its own binary).
//
// The semantics are the in-process executor's, mapped onto Temporal's own
// mechanisms: the task's retry policy decides each failure and the
// activity asks Temporal for the next attempt with NextRetryDelay (a
// [pipeline.Permanent] error or an exhausted policy is a non-retryable
// error; [pipeline.RetryAfter] is a NextRetryDelay that does not count an
// attempt); the task timeout bounds the activity's start-to-close time;
// the activity heartbeats, so a worker that dies is noticed by heartbeat
// timeout and the attempt runs again elsewhere (recorded as lost, see
// [pipeline.LostAttempt]); cancelling the run cancels the workflow, which
// cancels its activities. Trigger rules and SKIPPED dependents are decided
// in the workflow with [pipeline.Pipeline.Resolve]. Status and storage are
// written by the same functions as in-process, so status shows the same
// trace, job and events.
//
// A run's queues ([pipeline.Queue], fan-out claiming) live in its
// workflow: attempts on any worker put, claim, acknowledge and end their
// claims through workflow Updates ([QueuePutUpdate] and the others), so
// the items are persisted in the workflow's history and the rules are
// [pipeline.QueueState]'s, as in-process. An attempt's claims are
// acknowledged when it succeeds and go back to the queue when it fails;
// an attempt lost with its worker is superseded by its retry (the owner of
// a claim is Temporal's attempt number), which puts them back. The queue
// closes when the workflow sees its producers end. Holding the queue in
// the workflow uses Temporal's own durable state instead of a second store
// with claim leases; its cost is history events (about two per put, claim
// and ack), which bounds a run to some thousands of items.
//
// Task types can be served by workers of their own (engines,
// [pipeline.TaskType].Engine): the workflow schedules each attempt on its
// engine's task queue ([Executor].Engines, default [EngineQueue]), whose
// workers call [RegisterEngine]. With [Executor].ScheduleToStartTimeout an
// attempt that no worker takes fails with an error naming its engine and
// queue; without it, it waits.
//
// Temporal keeps the orchestration state; the status store keeps traces
// and jobs; the bucket keeps data, outputs and task states. The client and
// every worker must use the same backend (storage and status).
package temporalexec
