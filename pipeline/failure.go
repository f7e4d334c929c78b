package pipeline

import "fmt"

// FailurePolicy says what a task's failure does to its run (dart's
// action on_failure). The zero value keeps the DAG's rules: the run fails,
// dependents follow their [TriggerRule] and independent tasks still run.
type FailurePolicy string

// Failure policies.
const (
	// Halt stops the run: tasks that have not started end SKIPPED (running
	// ones finish) and the run FAILS. dart's default.
	Halt FailurePolicy = "HALT"
	// Continue lets the run go on as if the task had succeeded: its
	// dependents run and the run can still end SUCCESS; the task itself
	// stays FAILED in the summary, with its *TaskError.
	Continue FailurePolicy = "CONTINUE"
	// Deactivate halts the run as Halt does and asks whoever started it to
	// deactivate the pipeline ([Summary].FailurePolicy is Deactivate; the
	// scheduler in package schedule does so once the run's retries are
	// used up).
	Deactivate FailurePolicy = "DEACTIVATE"
)

func (f FailurePolicy) validate() error {
	switch f {
	case "", Halt, Continue, Deactivate:
		return nil
	}
	return fmt.Errorf("unknown on_failure %q (want HALT, CONTINUE or DEACTIVATE)", string(f))
}

// halts reports whether a failure under f stops the run.
func (f FailurePolicy) halts() bool { return f == Halt || f == Deactivate }

// upstreamOK reports whether an upstream task that ended in state counts as
// succeeded for its dependents: it succeeded, or failed under Continue.
func upstreamOK(up *node, state State) bool {
	return state == StateSuccess || (state == StateFailed && up.onFailure == Continue)
}
