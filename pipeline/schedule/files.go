package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/datafactory/datafactory/pipeline"
)

// FileState is the state of a file watched by a [FilesTrigger] (dart's
// subscription elements).
type FileState string

// File states: new files are UNCONSUMED, a batch handed to a run is
// RESERVED, and it becomes CONSUMED when the run succeeds or UNCONSUMED
// again when it does not.
const (
	FileUnconsumed FileState = "UNCONSUMED"
	FileReserved   FileState = "RESERVED"
	FileConsumed   FileState = "CONSUMED"
)

// FileElement is one file watched by a files trigger.
type FileElement struct {
	Key   string    `json:"key"`
	Size  int64     `json:"size"`
	State FileState `json:"state"`
	Batch string    `json:"batch,omitempty"` // batch id while RESERVED, and after
}

// filesState is a files trigger's persisted state.
type filesState struct {
	Cursor    json.RawMessage `json:"cursor,omitempty"`
	Elements  []FileElement   `json:"elements"`
	NextBatch int             `json:"next_batch"`
}

func filesKey(id string) string { return "files/" + id }

// Files returns the files a files trigger has seen, in key order.
func (s *Scheduler) Files(ctx context.Context, triggerID string) ([]FileElement, error) {
	s.mu.Lock()
	tr, ok := s.triggers[triggerID]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("files %s: no such trigger", triggerID)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var st filesState
	if _, err := getJSON(ctx, s.o.State, filesKey(triggerID), &st); err != nil {
		return nil, err
	}
	return st.Elements, nil
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
	s.start(ctx, target, tr.id, firing{files: batch, onEnd: func(ctx context.Context, state pipeline.State) {
		if err := s.finishBatch(ctx, tr, id, state); err != nil {
			s.o.Logger.WarnContext(ctx, "files trigger: finish batch", "trigger", tr.id, "error", err)
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
		st.merge(files)
		st.Cursor = next
	}
	var total int64
	for _, e := range st.Elements {
		if e.State == FileUnconsumed {
			total += e.Size
		}
	}
	var batch []pipeline.File
	id := ""
	if total >= ft.Threshold && s.reserve(tr.targets[0], true) {
		st.NextBatch++
		id = fmt.Sprintf("%s-%d", tr.id, st.NextBatch)
		var sum int64
		for i := range st.Elements {
			e := &st.Elements[i]
			if e.State != FileUnconsumed {
				continue
			}
			e.State, e.Batch = FileReserved, id
			batch = append(batch, pipeline.File{Key: e.Key, Size: e.Size})
			if sum += e.Size; sum >= ft.Threshold {
				break
			}
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

// merge records polled files: new keys are UNCONSUMED; a consumed file that
// shows up again (new content) is UNCONSUMED again.
func (st *filesState) merge(files []pipeline.File) {
	idx := make(map[string]int, len(st.Elements))
	for i, e := range st.Elements {
		idx[e.Key] = i
	}
	for _, f := range files {
		if i, ok := idx[f.Key]; ok {
			e := &st.Elements[i]
			if e.State == FileConsumed {
				e.State, e.Batch = FileUnconsumed, ""
			}
			if e.State != FileReserved {
				e.Size = f.Size
			}
			continue
		}
		idx[f.Key] = len(st.Elements)
		st.Elements = append(st.Elements, FileElement{Key: f.Key, Size: f.Size, State: FileUnconsumed})
	}
	sort.Slice(st.Elements, func(i, j int) bool { return st.Elements[i].Key < st.Elements[j].Key })
}

// finishBatch marks a batch CONSUMED after a successful run, UNCONSUMED
// otherwise. After a success it re-evaluates the trigger without polling
// (as dart does when a run it started completes), so a backlog drains
// batch after batch; after a failure the files wait for the next tick.
func (s *Scheduler) finishBatch(ctx context.Context, tr *trigger, batch string, state pipeline.State) error {
	err := s.setBatch(ctx, tr, func(e *FileElement) bool { return e.Batch == batch && e.State == FileReserved }, state)
	if err != nil {
		return err
	}
	if state != pipeline.StateSuccess || s.isStopped() {
		return nil
	}
	return s.evalFiles(ctx, tr, false)
}

func (s *Scheduler) setBatch(ctx context.Context, tr *trigger, match func(*FileElement) bool, state pipeline.State) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var st filesState
	if _, err := getJSON(ctx, s.o.State, filesKey(tr.id), &st); err != nil {
		return err
	}
	for i := range st.Elements {
		e := &st.Elements[i]
		if !match(e) {
			continue
		}
		if state == pipeline.StateSuccess {
			e.State = FileConsumed
		} else {
			e.State, e.Batch = FileUnconsumed, ""
		}
	}
	return putJSON(ctx, s.o.State, filesKey(tr.id), st)
}

// Recover returns files left RESERVED by runs of a previous process (which
// can no longer finish) to UNCONSUMED. Start calls it; call it yourself
// when driving the scheduler with Tick.
func (s *Scheduler) Recover(ctx context.Context) error {
	var errs []error
	for _, tr := range s.sortedTriggers("files") {
		errs = append(errs, s.setBatch(ctx, tr, func(e *FileElement) bool { return e.State == FileReserved }, pipeline.StateFailed))
	}
	return errors.Join(errs...)
}
