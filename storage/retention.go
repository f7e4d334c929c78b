package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RunStatus is what the caller knows about a run, for [Bucket.Sweep].
type RunStatus int

// Run statuses.
const (
	// RunUnknown: only the age rule applies.
	RunUnknown RunStatus = iota
	// RunActive: the run's objects are never deleted.
	RunActive
	// RunFinished: the run's objects are deleted whatever their age.
	RunFinished
)

// SweepOptions says what [Bucket.Sweep] deletes. At least one of MaxAge and
// RunStatus must be set.
type SweepOptions struct {
	// MaxAge deletes the runs whose newest object is older than MaxAge, and
	// objects outside the run layout (fewer than three key segments) older
	// than MaxAge. Age is judged per run so a long run that still writes
	// keeps its early outputs. Default (0): no age rule.
	MaxAge time.Duration
	// RunStatus reports the state of a run. RunActive protects the run,
	// RunFinished deletes it, RunUnknown leaves it to MaxAge. An error stops
	// the sweep. Default (nil): every run is RunUnknown.
	RunStatus func(ctx context.Context, dag, run string) (RunStatus, error)
	// DryRun reports what would be deleted without deleting. Default false.
	DryRun bool
	// Now is the clock. Default (nil): time.Now.
	Now func() time.Time
}

// SweepReport says what a sweep deleted (or, with DryRun, would delete).
type SweepReport struct {
	// Deleted lists the objects, in key order.
	Deleted []Object
	// Count is len(Deleted).
	Count int
	// Bytes is the total size of Deleted.
	Bytes int64
	// KeptRuns counts the runs left in place ("<dag>/<run>" groups).
	KeptRuns int
	// DryRun is set when nothing was actually deleted.
	DryRun bool
}

// Sweep applies the retention rules to the objects under the directory
// prefix ("" for the whole bucket, "dag/", "dag/run/", ...). Objects are
// grouped by run (the first two key segments) and each run is kept or
// deleted as a whole; runs reported active are never touched. Objects that
// vanish during the sweep are skipped. On error the report covers what was
// deleted so far.
func (b *Bucket) Sweep(ctx context.Context, prefix string, opts *SweepOptions) (*SweepReport, error) {
	if err := ValidatePrefix(prefix); err != nil {
		return nil, err
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	// Age is judged on the whole run even when prefix points inside one.
	runs, order, err := b.groupRuns(ctx, runPrefix(prefix))
	if err != nil {
		return nil, err
	}
	rep := &SweepReport{DryRun: o.DryRun}
	cutoff := o.Now().Add(-o.MaxAge)
	for _, id := range order {
		objs := runs[id]
		doomed, err := o.doomed(ctx, id, objs, cutoff)
		if err != nil {
			return rep, err
		}
		if len(doomed) == 0 {
			rep.KeptRuns++
			continue
		}
		for _, obj := range doomed {
			if !strings.HasPrefix(obj.Key, prefix) {
				continue
			}
			if err := b.sweepOne(ctx, obj, o.DryRun); errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return rep, err
			}
			rep.Deleted = append(rep.Deleted, obj)
			rep.Count++
			rep.Bytes += obj.Size
		}
	}
	return rep, nil
}

func (o *SweepOptions) withDefaults() (SweepOptions, error) {
	var c SweepOptions
	if o != nil {
		c = *o
	}
	switch {
	case c.MaxAge < 0:
		return c, errors.New("storage: sweep: MaxAge is negative")
	case c.MaxAge == 0 && c.RunStatus == nil:
		return c, errors.New("storage: sweep: set MaxAge or RunStatus (nothing would be deleted)")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// doomed returns the objects of one group to delete. id is "dag/run" for a
// run, or a loose object's key (with no "/" after its first segment).
func (o *SweepOptions) doomed(ctx context.Context, id string, objs []Object, cutoff time.Time) ([]Object, error) {
	isRun := !strings.HasPrefix(id, "\x00")
	if dag, run, _ := strings.Cut(id, "/"); isRun && o.RunStatus != nil {
		st, err := o.RunStatus(ctx, dag, run)
		if err != nil {
			return nil, fmt.Errorf("storage: sweep: status of run %s: %w", id, err)
		}
		switch st {
		case RunActive:
			return nil, nil
		case RunFinished:
			return objs, nil
		}
	}
	if o.MaxAge == 0 {
		return nil, nil
	}
	for _, obj := range objs {
		if !obj.ModTime.Before(cutoff) {
			return nil, nil // the group's newest object is young enough
		}
	}
	return objs, nil
}

func (b *Bucket) sweepOne(ctx context.Context, obj Object, dryRun bool) error {
	if dryRun {
		return nil
	}
	return b.Delete(ctx, obj.Key)
}

// groupRuns lists prefix and groups objects by "dag/run"; objects with fewer
// than three segments form a group of their own, keyed by their full key
// prefixed with "\x00" so it can never collide with a run id.
func (b *Bucket) groupRuns(ctx context.Context, prefix string) (map[string][]Object, []string, error) {
	groups := make(map[string][]Object)
	var order []string
	for obj, err := range b.List(ctx, prefix) {
		if err != nil {
			return nil, nil, err
		}
		id := "\x00" + obj.Key
		if parts := strings.SplitN(obj.Key, "/", 3); len(parts) == 3 {
			id = parts[0] + "/" + parts[1]
		}
		if _, ok := groups[id]; !ok {
			order = append(order, id)
		}
		groups[id] = append(groups[id], obj)
	}
	return groups, order, nil
}

// runPrefix cuts a directory prefix to at most its first two segments.
func runPrefix(prefix string) string {
	if parts := strings.SplitN(prefix, "/", 3); len(parts) == 3 {
		return parts[0] + "/" + parts[1] + "/"
	}
	return prefix
}
