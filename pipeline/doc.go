// Package pipeline runs DAGs of thin tasks with retries, timeouts,
// cancellation and status, loads pipelines from specs of registered task
// types validated by JSON Schema. Package schedule fires runs from
// triggers.
//
// # Pipelines and runs
//
// A [Task] is one method taking a context and a [*TaskContext]; [TaskFunc]
// adapts a function. A [Builder] adds named tasks with [TaskOptions]
// (dependencies, [RetryPolicy], timeout, [TriggerRule], fan-out instances)
// and Build rejects duplicate names, unknown dependencies and cycles.
// [Run] validates the run's conf against the pipeline's JSON Schema, then
// runs ready tasks in dependency order with a concurrency limit, and returns
// a [Summary] with every task's state, attempts, duration and instances;
// [Summary.Output] reads the run's outputs afterwards, also for a run with
// nil options (outputs then live in memory).
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
// matches [ErrRunFailed] and carries a [*TaskError] per failed task, after
// [Run] and after [FinishRun] alike (errors.As finds them).
//
// # Fan-out
//
// A task with Instances N runs as N parallel instances. They usually share a
// [Queue] (data-flow's page inserters): producer tasks declared with Feeds
// put items, instances Claim them, every item is processed exactly once
// (acknowledged with [Queue.Ack] or when its attempt succeeds; the claims of
// a failed attempt go back to the queue), and the queue closes when its
// producers end (with an error if one failed).
// Consumers declare the queue with Consumes and must not depend on its
// producers, which run beside them: Build refuses that dependency. Each
// instance retries on its own; the task's Attempts is the most tries of an
// instance, and [TaskSummary].Instances lists every instance. Each instance
// has its own outputs ([TaskContext.InstanceOutput]).
//
// # Task context
//
// A task's [*TaskContext] gives the run id, the logical date, the run's conf
// (validated before the run started), a logger with pipeline, run_id, task,
// instance and attempt attributes, its storage directory
// "<pipeline>/<run id>/<task>/" ([TaskContext.Dir]) and its upstream tasks'
// directories ([TaskContext.TaskDir]), small JSON outputs
// ([TaskContext.SetOutput], [TaskContext.Output]; Airflow's XCom, kept in
// storage as "<task>/outputs/<key>.json", or
// "<task>/outputs/<instance>/<key>.json" for the instances of a fan-out
// task), and its status step: counters
// ([TaskContext.AddCounts]), extra status_body keys and localized errors.
//
// # Status and storage
//
// With a [Backend] ([NewBackend]) a run is a status trace whose trace_id is
// the run id and a job (id = run id) that moves WAITING → RUNNING →
// DONE/FAILED/CANCELLED and heartbeats while it runs; when the job stops
// being RUNNING (cancelled from outside, or reaped) the run is cancelled.
// Each task attempt is an event with component = the pipeline's name,
// operation = the task's name and a status_body with rows and files in and
// out, the attempt, the instance and the state; skipped and cancelled tasks
// get one event too. The run's first event is STARTED and its last FINISHED
// (OK or FAILED). A failing status write never fails the run: it is logged
// and counted ([Backend.StatusFailures]).
//
// # One task, one process
//
// [CreateRun] stores a run's record (conf, logical date, files) in storage
// and creates its trace and job; [RunTask] runs one task of it, reading the
// conf and upstream states and outputs from storage, so an orchestrator can
// run each task in its own container; [FinishRun] ends the trace and the
// job. The outputs are the same as those of an in-process [Run], which
// stores the same records. Queues connect only tasks in the same process.
//
// # Task registry
//
// A [Registry] holds task types (dart's action types) with a JSON Schema for
// their params (github.com/santhosh-tekuri/jsonschema/v6). [Registry.Load]
// reads a JSON or YAML [Spec], applies schema defaults and validates every
// task's params before building anything; a [*ParamsError] names the task
// and the field. [Registry.Types] lists the types with their schemas.
//
// # Time
//
// Runs (and schedulers, in package schedule) take a [Clock]; tests pass a fake one
// (pipelinetest.FakeClock) so backoff and schedules never sleep.
package pipeline
