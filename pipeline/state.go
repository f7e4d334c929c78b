package pipeline

// State is the state of a task instance, a task or a run.
type State string

// Task and run states. A task starts PENDING, moves to RUNNING when an
// instance starts, to UP_FOR_RETRY while it waits for a retry, and ends in
// one of the terminal states SUCCESS, FAILED, SKIPPED or CANCELLED.
const (
	StatePending    State = "PENDING"
	StateRunning    State = "RUNNING"
	StateUpForRetry State = "UP_FOR_RETRY"
	StateSuccess    State = "SUCCESS"
	StateFailed     State = "FAILED"
	StateSkipped    State = "SKIPPED"
	StateCancelled  State = "CANCELLED"
)

// Terminal reports whether s is a final state.
func (s State) Terminal() bool {
	switch s {
	case StateSuccess, StateFailed, StateSkipped, StateCancelled:
		return true
	}
	return false
}

// legalTransitions lists, for every state, the states a task may move to.
var legalTransitions = map[State][]State{
	StatePending:    {StateRunning, StateSkipped, StateCancelled},
	StateRunning:    {StateSuccess, StateFailed, StateUpForRetry, StateCancelled},
	StateUpForRetry: {StateRunning, StateCancelled},
}

// CanTransition reports whether a task may move from one state to another.
// A retry, and a re-run asked for by [RetryAfter], go RUNNING → UP_FOR_RETRY
// → RUNNING.
func CanTransition(from, to State) bool {
	for _, s := range legalTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Transition is one state change of a task instance, reported to
// [RunOptions].OnTransition.
type Transition struct {
	Task     string // task name
	Instance int    // fan-out instance, 0 for ordinary tasks
	From     State
	To       State
	Attempt  int // attempt number (1-based) for RUNNING and later states; 0 before
}

// TriggerRule decides when a task runs given its upstream tasks' states.
type TriggerRule string

// Trigger rules.
const (
	// AllSuccess runs the task when every upstream task succeeded; when any
	// failed or was skipped the task is SKIPPED. It is the default.
	AllSuccess TriggerRule = "all_success"
	// AllDone runs the task once every upstream task is terminal, whatever
	// the outcome (for cleanup tasks). Upstream cancellation still cancels it.
	AllDone TriggerRule = "all_done"
)
