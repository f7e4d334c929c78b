package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// ErrInvalidTrigger is matched by [Scheduler.PutTrigger] and
// [Scheduler.DeleteTrigger] for a spec or a change that cannot be made
// (unknown kind, bad cron, unknown target, a trigger a super trigger still
// lists); the message names the field.
var ErrInvalidTrigger = errors.New("invalid trigger")

// specIndexKey holds the ids of the triggers put as specs; each spec is
// under specKey(id).
const specIndexKey = "specs/triggers"

func specKey(id string) string { return "specs/trigger/" + id }

// PutTrigger adds the trigger a spec describes under id, or replaces the
// one put before under that id, and persists it in the scheduler's
// [StateStore] so that [Scheduler.RestoreTriggers] adds it again after a
// restart. A replaced trigger starts afresh: a cron trigger from the
// spec's Start, an ALL super trigger with no firing recorded. Its
// activation is the spec's State (INACTIVE when empty, as dart creates
// triggers). Triggers the host added with [Scheduler.AddTrigger] are the
// operator's: putting one fails with [ErrOperatorTrigger]. It reports
// whether the trigger is new.
func (s *Scheduler) PutTrigger(ctx context.Context, id string, ts TriggerSpec) (created bool, err error) {
	tr, st, err := s.specTrigger(id, ts)
	if err != nil {
		return false, fmt.Errorf("put trigger %s: %w", id, err)
	}
	s.specMu.Lock()
	defer s.specMu.Unlock()
	s.mu.Lock()
	old := s.triggers[id]
	refErr := s.checkRefs(tr, nil)
	s.mu.Unlock()
	if old != nil && old.spec == nil {
		return false, fmt.Errorf("put trigger %s: %w: only its state can change", id, ErrOperatorTrigger)
	}
	if refErr != nil {
		return false, fmt.Errorf("put trigger %s: %w: %w", id, ErrInvalidTrigger, refErr)
	}
	if old != nil { // no tick of the old trigger saves its state over the reset below
		old.mu.Lock()
		defer old.mu.Unlock()
	}
	if err := s.saveSpec(ctx, tr, old == nil); err != nil {
		return false, fmt.Errorf("put trigger %s: %w", id, err)
	}
	if err := s.resetTriggerState(ctx, tr); err != nil {
		return false, fmt.Errorf("put trigger %s: %w", id, err)
	}
	if err := s.setActivation(ctx, kindTrigger, id, st, "put from a spec"); err != nil {
		return false, fmt.Errorf("put trigger %s: %w", id, err)
	}
	s.mu.Lock()
	s.triggers[id] = tr
	s.mu.Unlock()
	s.poke()
	if old != nil && old.t.kind() != tr.t.kind() {
		if err := s.deleteCron(ctx, old); err != nil {
			return false, fmt.Errorf("put trigger %s: %w", id, err)
		}
	}
	if err := s.putCron(ctx, tr); err != nil {
		return false, fmt.Errorf("put trigger %s: %w", id, err)
	}
	return old == nil, nil
}

// specTrigger validates a spec and returns its trigger and activation.
func (s *Scheduler) specTrigger(id string, ts TriggerSpec) (*trigger, Activation, error) {
	if err := pipeline.ValidateName(id); err != nil {
		return nil, "", fmt.Errorf("%w: id: %w", ErrInvalidTrigger, err)
	}
	st, err := ts.state()
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrInvalidTrigger, err)
	}
	t, err := ts.trigger(s.o.Clock.Now())
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrInvalidTrigger, err)
	}
	if ct, ok := t.(CronTrigger); ok {
		ts.Start = ct.Start // persisted resolved, so a restart keeps it
	}
	ts.Targets, ts.Triggers = slices.Clone(ts.Targets), slices.Clone(ts.Triggers)
	tr := &trigger{id: id, t: t, targets: ts.Targets, spec: &ts}
	if err := checkTrigger(tr); err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrInvalidTrigger, err)
	}
	return tr, st, nil
}

// checkRefs checks that the pipelines and triggers a spec names exist,
// the triggers among the scheduler's and pending; s.mu is held.
func (s *Scheduler) checkRefs(tr *trigger, pending map[string]bool) error {
	for _, p := range tr.targets {
		if _, ok := s.pipelines[p]; !ok {
			return fmt.Errorf("targets: no pipeline %q", p)
		}
	}
	switch t := tr.t.(type) {
	case CompletionTrigger:
		if _, ok := s.pipelines[t.Pipeline]; !ok {
			return fmt.Errorf("pipeline: no pipeline %q", t.Pipeline)
		}
	case SuperTrigger:
		for _, id := range t.Triggers {
			if _, ok := s.triggers[id]; !ok && id != tr.id && !pending[id] {
				return fmt.Errorf("triggers: no trigger %q", id)
			}
		}
	}
	return nil
}

// saveSpec persists a put trigger's spec, and its id in the index when new.
func (s *Scheduler) saveSpec(ctx context.Context, tr *trigger, isNew bool) error {
	if err := putJSON(ctx, s.o.State, specKey(tr.id), tr.spec); err != nil {
		return err
	}
	if !isNew {
		return nil
	}
	ids, err := s.specIDs(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, tr.id) {
		ids = append(ids, tr.id)
		slices.Sort(ids)
	}
	return putJSON(ctx, s.o.State, specIndexKey, ids)
}

func (s *Scheduler) specIDs(ctx context.Context) ([]string, error) {
	var ids []string
	_, err := getJSON(ctx, s.o.State, specIndexKey, &ids)
	return ids, err
}

// resetTriggerState starts a put trigger afresh: a cron trigger's cursor
// at its first activation, a super trigger with nothing recorded.
func (s *Scheduler) resetTriggerState(ctx context.Context, tr *trigger) error {
	switch t := tr.t.(type) {
	case CronTrigger:
		first := tr.sched.Next(t.Start.UTC().Add(-time.Nanosecond))
		return putJSON(ctx, s.o.State, "cron/"+tr.id, cronState{Next: first})
	case SuperTrigger:
		return putJSON(ctx, s.o.State, "super/"+tr.id, superState{})
	}
	return nil
}

// DeleteTrigger removes a trigger put with [Scheduler.PutTrigger], here and
// in the [StateStore]. A trigger a super trigger lists stays (the error
// names the super trigger); the operator's triggers fail with
// [ErrOperatorTrigger].
func (s *Scheduler) DeleteTrigger(ctx context.Context, id string) error {
	s.specMu.Lock()
	defer s.specMu.Unlock()
	s.mu.Lock()
	tr, ok := s.triggers[id]
	var listedBy string
	for _, o := range s.triggers {
		if sup, isSuper := o.t.(SuperTrigger); isSuper && o.id != id && slices.Contains(sup.Triggers, id) {
			listedBy = o.id
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return fmt.Errorf("delete trigger %s: %w: no such trigger", id, pipeline.ErrUnknownTask)
	case tr.spec == nil:
		return fmt.Errorf("delete trigger %s: %w", id, ErrOperatorTrigger)
	case listedBy != "":
		return fmt.Errorf("delete trigger %s: %w: super trigger %s lists it", id, ErrInvalidTrigger, listedBy)
	}
	if err := s.deleteCron(ctx, tr); err != nil {
		return fmt.Errorf("delete trigger %s: %w", id, err)
	}
	ids, err := s.specIDs(ctx)
	if err != nil {
		return fmt.Errorf("delete trigger %s: %w", id, err)
	}
	ids = slices.DeleteFunc(ids, func(x string) bool { return x == id })
	if err := putJSON(ctx, s.o.State, specIndexKey, ids); err != nil {
		return fmt.Errorf("delete trigger %s: %w", id, err)
	}
	s.mu.Lock()
	delete(s.triggers, id)
	s.mu.Unlock()
	return nil
}

// RestoreTriggers adds again the triggers put as specs by an earlier
// scheduler sharing this [StateStore], with their saved state (cron
// cursor, super progress, activation). Call it once, after adding the
// pipelines and the operator's triggers and before Start. A saved trigger
// that no longer fits (its pipeline is gone) is skipped and reported in
// the joined error; the others are added.
func (s *Scheduler) RestoreTriggers(ctx context.Context) error {
	ids, err := s.specIDs(ctx)
	if err != nil {
		return fmt.Errorf("restore triggers: %w", err)
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, s.restoreTrigger(ctx, id))
	}
	return errors.Join(errs...)
}

func (s *Scheduler) restoreTrigger(ctx context.Context, id string) error {
	var ts TriggerSpec
	if _, err := getJSON(ctx, s.o.State, specKey(id), &ts); err != nil {
		return fmt.Errorf("restore trigger %s: %w", id, err)
	}
	tr, _, err := s.specTrigger(id, ts)
	if err != nil {
		return fmt.Errorf("restore trigger %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range tr.targets {
		if _, ok := s.pipelines[p]; !ok {
			return fmt.Errorf("restore trigger %s: %w: targets: no pipeline %q", id, ErrInvalidTrigger, p)
		}
	}
	if old, dup := s.triggers[id]; dup && old.spec == nil {
		return fmt.Errorf("restore trigger %s: %w: the operator configures a trigger with this id now", id, ErrOperatorTrigger)
	}
	s.triggers[id] = tr
	return nil
}
