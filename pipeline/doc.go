// Package pipeline runs DAGs of thin tasks with retries, timeouts,
// cancellation and status, loads pipelines from specs of registered task
// types validated by JSON Schema, and fires runs from triggers.
//
// # Pipelines and runs
//
// A [Task] is one method taking a context and a [*TaskContext]; [TaskFunc]
// adapts a function. A [Builder] adds named tasks with [TaskOptions]
// (dependencies, [RetryPolicy], timeout, [TriggerRule], fan-out instances)
// and Build rejects duplicate names, unknown dependencies and cycles.
// [Run] validates the run's conf against the pipeline's JSON Schema, then
// runs ready tasks in dependency order with a concurrency limit, and returns
// a [Summary] with every task's state, attempts and duration.
//
// Task instances move PENDING → RUNNING → SUCCESS or FAILED; a failed attempt
// that the retry policy retries goes RUNNING → UP_FOR_RETRY → RUNNING. Tasks
// whose upstream failed end SKIPPED (trigger rule [AllSuccess], the default);
// [AllDone] tasks run anyway. Cancelling the run's context cancels running
// tasks' contexts and ends tasks that had not started CANCELLED.
//
// # Errors that steer retries
//
// A task returns [Permanent](err) to fail at once, and [RetryAfter](d) to
// run again after d without using up an attempt. A failed run's error
// matches [ErrRunFailed] and carries a [*TaskError] per failed task.
//
// # Fan-out
//
// A task with Instances N runs as N parallel instances. They usually share a
// [Queue] (data-flow's page inserters): producer tasks declared with Feeds
// put items, instances Claim them, every item goes to exactly one instance,
// and the queue closes when its producers end (with an error if one failed).
//
// # Time
//
// Runs and schedulers take a [Clock]; tests pass a fake one
// (pipelinetest.FakeClock) so backoff and schedules never sleep.
package pipeline
