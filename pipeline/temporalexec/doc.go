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
// trace, job and events. Queues (fan-out claiming) are not yet carried
// across processes: tasks using them fail with [pipeline.ErrQueueSplit].
//
// Temporal keeps the orchestration state; the status store keeps traces
// and jobs; the bucket keeps data, outputs and task states. The client and
// every worker must use the same backend (storage and status).
package temporalexec
