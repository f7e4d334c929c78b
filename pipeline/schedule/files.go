package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// filesState is a files trigger's persisted state: its source's cursor and
// the elements of storage's one file-element state machine.
type filesState struct {
	Cursor json.RawMessage `json:"cursor,omitempty"`
	storage.Backlog
	NextBatch int `json:"next_batch"`
}

func filesKey(id string) string { return "files/" + id }

// Files returns the files a files trigger has seen, in key order, with
// their states (UNCONSUMED, RESERVED, ASSIGNED to a run, CONSUMED).
func (s *Scheduler) Files(ctx context.Context, triggerID string) ([]storage.Element, error) {
	st, err := s.filesState(ctx, triggerID)
	return st.Elements, err
}

// FileStats returns the count and total size of a files trigger's files
// per state (dart's element statistics), in the order of
// storage.ElementStates.
func (s *Scheduler) FileStats(ctx context.Context, triggerID string) ([]storage.StateStats, error) {
	st, err := s.filesState(ctx, triggerID)
	if err != nil {
		return nil, err
	}
	return st.Stats(), nil
}

func (s *Scheduler) filesState(ctx context.Context, triggerID string) (filesState, error) {
	var st filesState
	s.mu.Lock()
	tr, ok := s.triggers[triggerID]
	s.mu.Unlock()
	if !ok || tr.t.kind() != "files" {
		return st, fmt.Errorf("files %s: no such files trigger", triggerID)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	_, err := getJSON(ctx, s.o.State, filesKey(triggerID), &st)
	return st, err
}

// tickFiles polls the trigger's source, records new files as UNCONSUMED
// and fires at most one batch.
func (s *Scheduler) tickFiles(ctx context.Context, tr *trigger) error {
	return s.evalFiles(ctx, tr, true)
}

func (s *Scheduler) evalFiles(ctx context.Context, tr *trigger, poll bool) error {
	batch, id, err := s.reserveBatch(ctx, tr, poll)
	if err != nil || batch == nil {
		return err
	}
	target := tr.targets[0]
	s.start(ctx, target, tr.id, firing{files: batch,
		onStart: func(ctx context.Context, runID string) {
			if err := s.updateFiles(ctx, tr, func(st *filesState) { st.Assign(id, runID) }); err != nil {
				s.o.Logger.WarnContext(ctx, "files trigger: assign batch", slog.String(pipeline.LogKeyTrigger, tr.id), slog.Any("error", err))
			}
		},
		onEnd: func(ctx context.Context, state pipeline.State) {
			if err := s.finishBatch(ctx, tr, id, state); err != nil {
				s.o.Logger.WarnContext(ctx, "files trigger: finish batch", slog.String(pipeline.LogKeyTrigger, tr.id), slog.Any("error", err))
			}
		}})
	return s.offerSuper(ctx, tr.id, nil)
}

// reserveBatch updates the trigger's files and, when the UNCONSUMED bytes
// reach the threshold and the target has a free slot, reserves the
// smallest key-ordered prefix reaching it. It returns nil when nothing fires.
func (s *Scheduler) reserveBatch(ctx context.Context, tr *trigger, poll bool) ([]pipeline.File, string, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	ft := tr.t.(FilesTrigger)
	var st filesState
	if _, err := getJSON(ctx, s.o.State, filesKey(tr.id), &st); err != nil {
		return nil, "", err
	}
	if poll {
		files, next, err := ft.Source.Poll(ctx, st.Cursor)
		if err != nil {
			return nil, "", fmt.Errorf("files trigger %s: poll: %w", tr.id, err)
		}
		for _, f := range files {
			st.Add(storage.Object{Key: f.Key, Size: f.Size})
		}
		st.Cursor = next
	}
	var batch []pipeline.File
	id := ""
	if st.UnconsumedBytes() >= ft.Threshold && s.isActive(ctx, kindTrigger, tr.id) &&
		s.isActive(ctx, kindPipeline, tr.targets[0]) && s.reserve(tr.targets[0], true) {
		st.NextBatch++
		id = fmt.Sprintf("%s-%d", tr.id, st.NextBatch)
		for _, e := range st.Reserve(id, ft.Threshold) {
			batch = append(batch, pipeline.File{Key: e.Key, Size: e.Size})
		}
	}
	if err := putJSON(ctx, s.o.State, filesKey(tr.id), st); err != nil {
		if batch != nil {
			s.release(tr.targets[0])
		}
		return nil, "", err
	}
	return batch, id, nil
}

// finishBatch marks a batch CONSUMED after a successful run, UNCONSUMED
// otherwise. After a success it re-evaluates the trigger without polling
// (as dart does when a run it started completes), so a backlog drains
// batch after batch; after a failure the files wait for the next tick.
func (s *Scheduler) finishBatch(ctx context.Context, tr *trigger, batch string, state pipeline.State) error {
	err := s.updateFiles(ctx, tr, func(st *filesState) {
		if state == pipeline.StateSuccess {
			st.Consume(batch)
		} else {
			st.Release(batch)
		}
	})
	if err != nil {
		return err
	}
	if state != pipeline.StateSuccess || s.isStopped() {
		return nil
	}
	return s.evalFiles(ctx, tr, false)
}

// updateFiles applies change to a files trigger's persisted state.
func (s *Scheduler) updateFiles(ctx context.Context, tr *trigger, change func(*filesState)) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var st filesState
	if _, err := getJSON(ctx, s.o.State, filesKey(tr.id), &st); err != nil {
		return err
	}
	change(&st)
	return putJSON(ctx, s.o.State, filesKey(tr.id), st)
}

// Recover returns files left RESERVED or ASSIGNED by runs of a previous
// process (which can no longer finish) to UNCONSUMED. Start calls it; call
// it yourself when driving the scheduler with Tick.
func (s *Scheduler) Recover(ctx context.Context) error {
	var errs []error
	for _, tr := range s.sortedTriggers("files") {
		errs = append(errs, s.updateFiles(ctx, tr, func(st *filesState) { st.ReleaseAll() }))
	}
	return errors.Join(errs...)
}
