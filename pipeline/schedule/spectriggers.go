package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// SpecTrigger is one entry of a pipeline spec file's triggers section: a
// [TriggerSpec] with an id. It starts the pipeline the file declares.
//
//	name: companies_views
//	state: ACTIVE
//	triggers:
//	  - id: views-monthly
//	    kind: cron
//	    cron: "@monthly"
//	    start: 2026-01-01T00:00:00Z
//	    catchup: true
//	    state: ACTIVE
//	tasks: …
//
// Spec files are the operator's configuration, and so are their triggers
// (DESIGN.md principle 9): [Scheduler.AddSpecTriggers] adds them as the
// operator's, like [Scheduler.AddTrigger]. A request can activate or
// deactivate one, but not replace or delete it ([ErrOperatorTrigger]), and
// a trigger put over the API cannot take its id.
type SpecTrigger struct {
	// ID names the trigger among all the scheduler's triggers. Default
	// "<pipeline>-<kind>".
	ID string `json:"id,omitempty"`
	// TriggerSpec is the trigger; its Targets may be omitted (they are
	// the spec's pipeline, the only one a spec file's trigger may start).
	TriggerSpec
}

// specFileKey holds the definition a spec file's trigger was last added
// with, so that a changed definition starts it afresh.
func specFileKey(id string) string { return "specfile/trigger/" + id }

// SpecTriggers reads the triggers section of a pipeline spec: each entry's
// fields are checked (kind, cron expression, state, no unknown field) and
// its targets set to the spec's pipeline. The error names the entry.
func SpecTriggers(s *pipeline.Spec) ([]SpecTrigger, error) {
	var out []SpecTrigger
	for i, raw := range s.Triggers {
		st, err := parseSpecTrigger(s.Name, raw)
		if err != nil {
			return nil, fmt.Errorf("pipeline %s: triggers[%d]: %w", s.Name, i, err)
		}
		if slices.ContainsFunc(out, func(o SpecTrigger) bool { return o.ID == st.ID }) {
			return nil, fmt.Errorf("pipeline %s: triggers[%d]: id %q used twice", s.Name, i, st.ID)
		}
		out = append(out, st)
	}
	return out, nil
}

func parseSpecTrigger(name string, raw json.RawMessage) (SpecTrigger, error) {
	var st SpecTrigger
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, err
	}
	if len(st.Targets) > 0 && !slices.Equal(st.Targets, []string{name}) {
		return st, fmt.Errorf("targets: a spec file's trigger starts its own pipeline %s only", name)
	}
	st.Targets = []string{name}
	if st.ID == "" {
		st.ID = name + "-" + st.Kind
	}
	if _, err := st.build(time.Unix(0, 0)); err != nil {
		return st, err
	}
	return st, nil
}

// build returns the trigger, with its default activation; now is the
// default start of a cron trigger.
func (st *SpecTrigger) build(now time.Time) (*trigger, error) {
	if err := pipeline.ValidateName(st.ID); err != nil {
		return nil, fmt.Errorf("id: %w", err)
	}
	if len(st.Targets) != 1 {
		return nil, errors.New("targets: a spec file's trigger starts its own pipeline, exactly one")
	}
	act, err := st.state()
	if err != nil {
		return nil, err
	}
	t, err := st.trigger(now)
	if err != nil {
		return nil, err
	}
	tr := &trigger{id: st.ID, t: t, targets: slices.Clone(st.Targets), declaredBy: st.Targets[0], inactive: act == Inactive}
	if err := checkTrigger(tr); err != nil {
		return nil, err
	}
	return tr, nil
}

// AddSpecTriggers adds the triggers of pipeline spec files (read with
// [SpecTriggers]) as the operator's triggers; call it after adding the
// pipelines and before [Scheduler.RestoreTriggers] and Start. Each checks
// its references first (its pipeline, the pipeline a completion trigger
// watches, the triggers a super trigger lists, among the scheduler's and
// these), and nothing is added when one fails.
//
// A trigger's activation follows the rule of a spec's pipeline: its state
// in the file (INACTIVE when empty, as dart creates triggers) is the
// default, and a state set since ([Scheduler.SetTriggerState], e.g. over
// HTTP), persisted in the [StateStore], wins. A trigger whose definition
// is the one it was last added with keeps its persisted state (a cron
// cursor, a super trigger's progress), so a restart neither misses nor
// repeats a firing; a changed definition (anything but state) starts it
// afresh, as a trigger replaced with [Scheduler.PutTrigger].
func (s *Scheduler) AddSpecTriggers(ctx context.Context, triggers []SpecTrigger) error {
	s.specMu.Lock()
	defer s.specMu.Unlock()
	trs := make([]*trigger, len(triggers))
	for i := range triggers {
		tr, err := triggers[i].build(s.o.Clock.Now())
		if err != nil {
			return fmt.Errorf("add trigger %s: %w: %w", triggers[i].ID, ErrInvalidTrigger, err)
		}
		trs[i] = tr
	}
	if err := s.checkSpecRefs(trs); err != nil {
		return err
	}
	for i, tr := range trs {
		if err := s.reconcileSpecFile(ctx, tr, &triggers[i]); err != nil {
			return fmt.Errorf("add trigger %s: %w", tr.id, err)
		}
		s.mu.Lock()
		s.triggers[tr.id] = tr
		s.mu.Unlock()
	}
	s.poke()
	var errs []error
	for _, tr := range trs { // on the outside schedules, when Options.Cron is set
		errs = append(errs, s.putCron(ctx, tr))
	}
	return errors.Join(errs...)
}

// checkSpecRefs checks new triggers against the scheduler's and each
// other: unique ids, and references that exist.
func (s *Scheduler) checkSpecRefs(trs []*trigger) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := map[string]bool{}
	for _, tr := range trs {
		if _, dup := s.triggers[tr.id]; dup || ids[tr.id] {
			return fmt.Errorf("add trigger %s: %w: id already used", tr.id, ErrInvalidTrigger)
		}
		ids[tr.id] = true
	}
	for _, tr := range trs {
		if err := s.checkRefs(tr, ids); err != nil {
			return fmt.Errorf("add trigger %s: %w: %w", tr.id, ErrInvalidTrigger, err)
		}
	}
	return nil
}

// reconcileSpecFile starts a spec file's trigger afresh when its
// definition is not the one it was last added with, and records it.
func (s *Scheduler) reconcileSpecFile(ctx context.Context, tr *trigger, st *SpecTrigger) error {
	def := *st
	def.State = "" // a state change keeps the cursor
	want, err := json.Marshal(def)
	if err != nil {
		return err
	}
	var got json.RawMessage
	if _, err := getJSON(ctx, s.o.State, specFileKey(tr.id), &got); err != nil {
		return err
	}
	if bytes.Equal(got, want) {
		return nil
	}
	if err := s.resetTriggerState(ctx, tr); err != nil {
		return err
	}
	return putJSON(ctx, s.o.State, specFileKey(tr.id), json.RawMessage(want))
}
