package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/robfig/cron/v3"
)

// Schedule gives the next activation time strictly after t.
// robfig/cron schedules satisfy it.
type Schedule interface {
	Next(t time.Time) time.Time
}

// ParseSchedule parses a standard 5-field cron expression or a descriptor
// (@yearly, @monthly, @weekly, @daily, @hourly, @every 1h30m), optionally
// prefixed with CRON_TZ=<zone>, or an AWS 6-field expression as dart's
// schedules are written ("0 12 ? * MON-FRI *", also as "cron(...)"):
// minutes, hours, day of month, month, day of week (1-7 from Sunday, or
// SUN-SAT), year; exactly one of the day fields is "?"; evaluated in UTC.
func ParseSchedule(spec string) (Schedule, error) {
	var (
		s   Schedule
		err error
	)
	if t := strings.TrimSpace(spec); strings.HasPrefix(t, "cron(") || len(strings.Fields(t)) == 6 {
		s, err = parseAWSCron(t)
	} else {
		s, err = cron.ParseStandard(spec)
	}
	if err != nil {
		return nil, fmt.Errorf("parse schedule %q: %w", spec, err)
	}
	return s, nil
}

// Trigger is what makes the scheduler start runs: [CronTrigger],
// [CompletionTrigger], [SuperTrigger], [EventTrigger] or [FilesTrigger].
type Trigger interface {
	kind() string
}

// CronTrigger starts a run per schedule interval, once the interval is over
// (as Airflow: the run for logical date 2019-07-01 of a @monthly schedule
// starts on 2019-08-01). Schedules are evaluated in UTC unless the
// expression starts with CRON_TZ=<zone>.
type CronTrigger struct {
	// Cron is a cron expression or descriptor, see [ParseSchedule].
	Cron string
	// Schedule, when set, is used instead of Cron.
	Schedule Schedule
	// Start is the first logical date considered (the first activation at
	// or after it). Required.
	Start time.Time
	// End, when set, is the last logical date that runs.
	End time.Time
	// Catchup runs one run per missed interval, in order. Without it only
	// the latest finished interval runs and older missed ones are skipped.
	Catchup bool
}

// CompletionTrigger fires when a run of another pipeline (started by this
// scheduler, or reported through [Scheduler.RunCompleted]) ends SUCCESS.
// Failed runs never fire it.
type CompletionTrigger struct {
	Pipeline string
}

// SuperMode decides when a [SuperTrigger] fires.
type SuperMode string

// Super trigger modes.
const (
	// All fires once every listed trigger has fired since the super
	// trigger's last firing, then resets.
	All SuperMode = "ALL"
	// Any fires whenever one of the listed triggers fires.
	Any SuperMode = "ANY"
)

// SuperTrigger fires on other triggers' firings (dart's super trigger).
// Every firing of a trigger, super triggers included, is offered to the
// super triggers listing it, so supers of supers work.
type SuperTrigger struct {
	Mode     SuperMode // default All
	Triggers []string  // trigger ids, at least one
}

// EventTrigger fires when the named event is fired through
// [Scheduler.FireEvent].
type EventTrigger struct {
	Event string
}

// FileSource lists files not seen before. cursor is what the previous call
// returned (nil the first time); the scheduler persists it in its
// [StateStore], so after a restart no file is missed or repeated.
type FileSource interface {
	Poll(ctx context.Context, cursor json.RawMessage) (files []pipeline.File, next json.RawMessage, err error)
}

// FilesTrigger fires a run when the new, unconsumed files' sizes add up to
// Threshold bytes: it reserves the smallest key-ordered run of UNCONSUMED
// files reaching the threshold (RESERVED) and hands it to the run
// (ASSIGNED, [pipeline.TaskContext.Files]). The files become CONSUMED when
// the run succeeds and UNCONSUMED again when it does not. It may target one
// pipeline only.
type FilesTrigger struct {
	Source    FileSource
	Threshold int64 // bytes, at least 1
}

func (CronTrigger) kind() string       { return "cron" }
func (CompletionTrigger) kind() string { return "completion" }
func (SuperTrigger) kind() string      { return "super" }
func (EventTrigger) kind() string      { return "event" }
func (FilesTrigger) kind() string      { return "files" }

// StateStore persists the scheduler's trigger state (cron cursors, super
// trigger progress, file states) so that a restarted scheduler neither
// misses nor repeats a firing. Values are small JSON documents.
type StateStore interface {
	// Get returns the value stored under key, or nil and no error when
	// there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put stores value under key, replacing any previous value.
	Put(ctx context.Context, key string, value []byte) error
}

// MemoryStateStore is a [StateStore] in memory, for tests and for
// schedulers that need no persistence.
type MemoryStateStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

// NewMemoryStateStore returns an empty store.
func NewMemoryStateStore() *MemoryStateStore { return &MemoryStateStore{m: map[string][]byte{}} }

// Get implements [StateStore].
func (s *MemoryStateStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.m[key]), nil
}

// Put implements [StateStore].
func (s *MemoryStateStore) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = slices.Clone(value)
	return nil
}

// getJSON reads a JSON state value into v; it reports whether one existed.
func getJSON(ctx context.Context, st StateStore, key string, v any) (bool, error) {
	b, err := st.Get(ctx, key)
	if err != nil {
		return false, fmt.Errorf("load trigger state %s: %w", key, err)
	}
	if b == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("load trigger state %s: %w", key, err)
	}
	return true, nil
}

func putJSON(ctx context.Context, st StateStore, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save trigger state %s: %w", key, err)
	}
	if err := st.Put(ctx, key, b); err != nil {
		return fmt.Errorf("save trigger state %s: %w", key, err)
	}
	return nil
}
