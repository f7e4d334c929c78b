package schedule

import (
	"context"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// cronState is a cron trigger's persisted cursor: the logical date of the
// next interval not yet started.
type cronState struct {
	Next time.Time `json:"next"`
}

// cronCursor returns the next logical date to start: the persisted one, or
// the first activation at or after Start.
func (s *Scheduler) cronCursor(ctx context.Context, tr *trigger) (time.Time, error) {
	var st cronState
	found, err := getJSON(ctx, s.o.State, "cron/"+tr.id, &st)
	if err != nil {
		return time.Time{}, err
	}
	if found {
		return st.Next, nil
	}
	start := tr.t.(CronTrigger).Start.UTC()
	return tr.sched.Next(start.Add(-time.Nanosecond)), nil
}

// tickCron starts the runs of every finished interval: all of them in order
// with Catchup, else only the latest. The cursor is saved before each run
// starts, so a restart never starts an interval twice. An interval whose
// pipeline is at MaxActiveRuns waits for a later tick.
func (s *Scheduler) tickCron(ctx context.Context, tr *trigger) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	ct := tr.t.(CronTrigger)
	cur, err := s.cronCursor(ctx, tr)
	if err != nil {
		return err
	}
	target := tr.targets[0]
	if !s.isActive(ctx, kindTrigger, tr.id) || !s.isActive(ctx, kindPipeline, target) {
		return nil // the intervals wait until both are active
	}
	for {
		now := s.o.Clock.Now()
		if !ct.End.IsZero() && cur.After(ct.End) {
			return nil
		}
		end := tr.sched.Next(cur)
		if end.IsZero() || end.After(now) {
			return nil // no activation left, or the interval is not over
		}
		if !ct.Catchup {
			for {
				next := tr.sched.Next(end)
				if next.After(now) || (!ct.End.IsZero() && end.After(ct.End)) {
					break
				}
				cur, end = end, next
			}
		}
		if !s.reserve(target, false) {
			return nil
		}
		if err := putJSON(ctx, s.o.State, "cron/"+tr.id, cronState{Next: end}); err != nil {
			s.release(target)
			return err
		}
		runID := target + "-scheduled-" + cur.UTC().Format("20060102T150405Z")
		s.start(ctx, target, tr.id, firing{logical: cur, interval: pipeline.Interval{Start: cur, End: end}, runID: runID})
		if err := s.offerSuper(ctx, tr.id, nil); err != nil {
			return err
		}
		cur = end
	}
}

// release gives back a slot taken by reserve whose run did not start.
func (s *Scheduler) release(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pipelines[name].active--
	s.runs.Done()
}
