package schedule

import (
	"errors"
	"fmt"
	"time"
)

// TriggerSpec is a trigger written as data, as an API client or a spec file
// gives it: a cron, event, completion or super (ALL/ANY) trigger with its
// target pipelines. Files triggers are not among them: their source is a
// bucket the operator configures, never one a request names.
type TriggerSpec struct {
	// Kind is "cron", "event", "completion" or "super". Required.
	Kind string `json:"kind"`
	// Targets are the pipelines a firing starts (exactly one for cron).
	Targets []string `json:"targets,omitempty"`
	// Cron, Start, End and Catchup are a cron trigger's (see
	// [CronTrigger]); Start defaults to the time the spec is put,
	// truncated to the hour.
	Cron    string    `json:"cron,omitempty"`
	Start   time.Time `json:"start,omitzero"`
	End     time.Time `json:"end,omitzero"`
	Catchup bool      `json:"catchup,omitempty"`
	// Event is an event trigger's event name.
	Event string `json:"event,omitempty"`
	// Pipeline is the pipeline a completion trigger watches.
	Pipeline string `json:"pipeline,omitempty"`
	// Mode and Triggers are a super trigger's (see [SuperTrigger]).
	Mode     SuperMode `json:"mode,omitempty"`
	Triggers []string  `json:"triggers,omitempty"`
	// State is the trigger's activation once put: dart creates triggers
	// INACTIVE, and so does an empty State.
	State Activation `json:"state,omitempty"`
}

// ErrOperatorTrigger is matched by [Scheduler.PutTrigger] and
// [Scheduler.DeleteTrigger] for a trigger the host added with
// [Scheduler.AddTrigger]: those belong to the operator's configuration and
// a request can only activate or deactivate them.
var ErrOperatorTrigger = errors.New("trigger is part of the operator's configuration")

// trigger returns the [Trigger] the spec describes; now is the default
// start of a cron trigger.
func (ts *TriggerSpec) trigger(now time.Time) (Trigger, error) {
	switch ts.Kind {
	case "cron":
		start := ts.Start
		if start.IsZero() {
			start = now.UTC().Truncate(time.Hour)
		}
		return CronTrigger{Cron: ts.Cron, Start: start, End: ts.End, Catchup: ts.Catchup}, nil
	case "event":
		return EventTrigger{Event: ts.Event}, nil
	case "completion":
		return CompletionTrigger{Pipeline: ts.Pipeline}, nil
	case "super":
		return SuperTrigger{Mode: ts.Mode, Triggers: ts.Triggers}, nil
	case "files":
		return nil, errors.New("kind: a files trigger watches a bucket the operator configures; it cannot be put as a spec")
	default:
		return nil, fmt.Errorf("kind: unknown trigger kind %q (want cron, event, completion or super)", ts.Kind)
	}
}

// state returns the activation the spec asks for, INACTIVE by default.
func (ts *TriggerSpec) state() (Activation, error) {
	switch ts.State {
	case "", Inactive:
		return Inactive, nil
	case Active:
		return Active, nil
	}
	return "", fmt.Errorf("state: %q is not ACTIVE or INACTIVE", ts.State)
}
