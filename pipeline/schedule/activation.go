package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// Activation is dart's ACTIVE or INACTIVE state of a pipeline, a trigger or
// an event: only active triggers fire, events of an active name fire their
// triggers, and only active pipelines start runs.
type Activation string

// Activation states.
const (
	Active   Activation = "ACTIVE"
	Inactive Activation = "INACTIVE"
)

// ErrInactive is matched by [Scheduler.RunNow] for an inactive pipeline.
var ErrInactive = errors.New("inactive")

// ActivationState is an activation with why and when it last changed, as
// persisted in the scheduler's [StateStore].
type ActivationState struct {
	State   Activation `json:"state"`
	Reason  string     `json:"reason,omitempty"`
	Changed time.Time  `json:"changed,omitzero"`
}

// activation kinds, the first segment of their state keys.
const (
	kindPipeline = "pipeline"
	kindTrigger  = "trigger"
	kindEvent    = "event"
)

// SetPipelineState activates or deactivates an added pipeline and records
// why. An inactive pipeline starts no run: its firings are dropped and
// [Scheduler.RunNow] is refused with [ErrInactive]; its cron intervals wait.
func (s *Scheduler) SetPipelineState(ctx context.Context, name string, st Activation, reason string) error {
	s.mu.Lock()
	_, ok := s.pipelines[name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("set state of pipeline %s: %w: pipeline not added", name, pipeline.ErrUnknownTask)
	}
	if err := s.setActivation(ctx, kindPipeline, name, st, reason); err != nil {
		return err
	}
	return s.putCronOf(ctx, name)
}

// PipelineState returns a pipeline's activation: the last one set, else
// ACTIVE (INACTIVE with [PipelineOptions].Inactive).
func (s *Scheduler) PipelineState(ctx context.Context, name string) (ActivationState, error) {
	s.mu.Lock()
	sp, ok := s.pipelines[name]
	s.mu.Unlock()
	if !ok {
		return ActivationState{}, fmt.Errorf("state of pipeline %s: %w: pipeline not added", name, pipeline.ErrUnknownTask)
	}
	def := Active
	if sp.inactive {
		def = Inactive
	}
	return s.activation(ctx, kindPipeline, name, def)
}

// SetTriggerState activates or deactivates a trigger: an inactive trigger
// never fires (nor counts for the super triggers listing it); an inactive
// cron trigger's intervals wait until it is active again.
func (s *Scheduler) SetTriggerState(ctx context.Context, id string, st Activation, reason string) error {
	s.mu.Lock()
	tr, ok := s.triggers[id]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("set state of trigger %s: no such trigger", id)
	}
	if err := s.setActivation(ctx, kindTrigger, id, st, reason); err != nil {
		return err
	}
	return s.putCron(ctx, tr)
}

// TriggerState returns a trigger's activation: the last one set, else
// ACTIVE (a spec file's trigger: the state the file gives it).
func (s *Scheduler) TriggerState(ctx context.Context, id string) (ActivationState, error) {
	def := Active
	s.mu.Lock()
	if tr := s.triggers[id]; tr != nil && tr.inactive {
		def = Inactive
	}
	s.mu.Unlock()
	return s.activation(ctx, kindTrigger, id, def)
}

// SetEventState activates or deactivates an event name: firing an
// inactive event does nothing.
func (s *Scheduler) SetEventState(ctx context.Context, event string, st Activation, reason string) error {
	if err := pipeline.ValidateName(event); err != nil {
		return fmt.Errorf("set state of event: %w", err)
	}
	return s.setActivation(ctx, kindEvent, event, st, reason)
}

// EventState returns an event's activation (ACTIVE until set).
func (s *Scheduler) EventState(ctx context.Context, event string) (ActivationState, error) {
	return s.activation(ctx, kindEvent, event, Active)
}

func activationKey(kind, id string) string { return "state/" + kind + "/" + id }

func (s *Scheduler) setActivation(ctx context.Context, kind, id string, st Activation, reason string) error {
	if st != Active && st != Inactive {
		return fmt.Errorf("set state of %s %s: unknown state %q (want ACTIVE or INACTIVE)", kind, id, st)
	}
	return putJSON(ctx, s.o.State, activationKey(kind, id), ActivationState{State: st, Reason: reason, Changed: s.o.Clock.Now().UTC()})
}

func (s *Scheduler) activation(ctx context.Context, kind, id string, def Activation) (ActivationState, error) {
	st := ActivationState{State: def}
	_, err := getJSON(ctx, s.o.State, activationKey(kind, id), &st)
	return st, err
}

// isActive reports whether a pipeline, trigger or event is active; a state
// that cannot be read counts as inactive (nothing fires on a guess) and is
// logged.
func (s *Scheduler) isActive(ctx context.Context, kind, id string) bool {
	var (
		st  ActivationState
		err error
	)
	switch kind {
	case kindPipeline:
		st, err = s.PipelineState(ctx, id)
	case kindTrigger:
		st, err = s.TriggerState(ctx, id)
	default:
		st, err = s.activation(ctx, kind, id, Active)
	}
	if err != nil {
		s.o.Logger.WarnContext(ctx, "scheduler: read activation", "kind", kind, "id", id, "error", err)
		return false
	}
	return st.State == Active
}
