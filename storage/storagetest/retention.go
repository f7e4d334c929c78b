package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

// retentionFixture writes old objects, waits, writes young ones, and returns
// the clock and rules under which exactly the "old" ones are past MaxAge.
type retentionFixture struct {
	b      *storage.Bucket
	opts   storage.SweepOptions
	before []string // every key, sorted
	gone   []string // keys the sweep must delete, sorted
	bytes  int64
	calls  map[string]int
}

func newRetentionFixture(t *testing.T, h *Harness) *retentionFixture {
	ctx := t.Context()
	b := open(t, h)
	old := []string{
		"d/active/extract/data.csv", // old, but its run is active
		"d/finished/extract/data.csv",
		"d/oldrun/extract/data.csv", "d/oldrun/load/report.json",
		"d/mixed/extract/data.csv", // old object of a run that still writes
		"d/notes.txt",              // loose object, old
	}
	young := []string{
		"d/finished/load/report.json", // young, but the run is finished
		"d/younger/extract/data.csv",
		"d/mixed/load/data.csv",
		"top.txt", // loose object, young
		"other/run/t/x.csv",
	}
	for _, k := range old {
		put(t, b, k, "old:"+k)
	}
	h.tick()
	for _, k := range young {
		put(t, b, k, "young data for "+k)
	}
	objs, err := b.ListAll(ctx, "")
	require.NoError(t, err)
	mod := map[string]time.Time{}
	for _, o := range objs {
		mod[o.Key] = o.ModTime
	}
	var oldMax, youngMin time.Time
	for _, k := range old {
		if mod[k].After(oldMax) {
			oldMax = mod[k]
		}
	}
	for i, k := range young {
		if i == 0 || mod[k].Before(youngMin) {
			youngMin = mod[k]
		}
	}
	require.True(t, oldMax.Before(youngMin), "old objects must have earlier modtimes")
	const maxAge = 72 * time.Hour
	now := oldMax.Add(youngMin.Sub(oldMax)/2 + maxAge) // cutoff falls between old and young
	f := &retentionFixture{b: b, before: keys(objs), calls: map[string]int{}}
	f.opts = storage.SweepOptions{
		MaxAge: maxAge,
		Now:    func() time.Time { return now },
		RunStatus: func(_ context.Context, dag, run string) (storage.RunStatus, error) {
			f.calls[dag+"/"+run]++
			switch run {
			case "active":
				return storage.RunActive, nil
			case "finished":
				return storage.RunFinished, nil
			}
			return storage.RunUnknown, nil
		},
	}
	for _, o := range objs {
		switch o.Key {
		case "d/finished/extract/data.csv", "d/finished/load/report.json",
			"d/oldrun/extract/data.csv", "d/oldrun/load/report.json", "d/notes.txt":
			f.gone = append(f.gone, o.Key)
			f.bytes += o.Size
		}
	}
	return f
}

func testRetention(t *testing.T, h *Harness) {
	ctx := t.Context()
	f := newRetentionFixture(t, h)
	rep, err := f.b.Sweep(ctx, "", &f.opts)
	require.NoError(t, err)
	require.False(t, rep.DryRun)
	require.Equal(t, f.gone, sortedCopy(keys(rep.Deleted)))
	require.Equal(t, len(f.gone), rep.Count)
	require.Equal(t, f.bytes, rep.Bytes)
	require.Equal(t, 5, rep.KeptRuns, "active, mixed, younger, other/run, top.txt")
	var left []string
	for _, k := range f.before {
		if !contains(f.gone, k) {
			left = append(left, k)
		}
	}
	require.Equal(t, left, listKeys(t, f.b, ""))
	for _, run := range []string{"d/active", "d/finished", "d/oldrun", "d/mixed", "d/younger", "other/run"} {
		require.Equal(t, 1, f.calls[run], "status asked once per run: %s", run)
	}
	// Sweeping again finds nothing more.
	rep, err = f.b.Sweep(ctx, "", &f.opts)
	require.NoError(t, err)
	require.Zero(t, rep.Count)

	// Without a status function the age rule still never splits a run, and
	// a prefix inside a run judges the whole run's age.
	rep, err = f.b.Sweep(ctx, "d/mixed/extract/", &storage.SweepOptions{MaxAge: f.opts.MaxAge, Now: f.opts.Now})
	require.NoError(t, err)
	require.Zero(t, rep.Count, "the run has a young object")
	rep, err = f.b.Sweep(ctx, "d/", &storage.SweepOptions{MaxAge: time.Nanosecond, Now: func() time.Time { return f.opts.Now().Add(f.opts.MaxAge) }})
	require.NoError(t, err)
	require.Equal(t, []string{"d/active/extract/data.csv", "d/mixed/extract/data.csv", "d/mixed/load/data.csv", "d/younger/extract/data.csv"}, keys(rep.Deleted),
		"with no status function, an old active run is not protected: only RunStatus knows")
	require.Equal(t, []string{"other/run/t/x.csv", "top.txt"}, listKeys(t, f.b, ""))
}

func testRetentionDryRun(t *testing.T, h *Harness) {
	ctx := t.Context()
	f := newRetentionFixture(t, h)
	opts := f.opts
	opts.DryRun = true
	rep, err := f.b.Sweep(ctx, "", &opts)
	require.NoError(t, err)
	require.True(t, rep.DryRun)
	require.Equal(t, f.gone, sortedCopy(keys(rep.Deleted)))
	require.Equal(t, f.bytes, rep.Bytes)
	require.Equal(t, f.before, listKeys(t, f.b, ""), "a dry run deletes nothing")

	// Bad options and prefixes are refused before anything is listed.
	_, err = f.b.Sweep(ctx, "", nil)
	require.Error(t, err)
	_, err = f.b.Sweep(ctx, "", &storage.SweepOptions{MaxAge: -time.Hour})
	require.Error(t, err)
	_, err = f.b.Sweep(ctx, "d", &opts)
	require.ErrorIs(t, err, storage.ErrInvalidKey)
	_, err = f.b.Sweep(ctx, "../", &opts)
	require.ErrorIs(t, err, storage.ErrInvalidKey)
	// A failing status function stops the sweep.
	boom := errors.New("status store down")
	_, err = f.b.Sweep(ctx, "", &storage.SweepOptions{RunStatus: func(context.Context, string, string) (storage.RunStatus, error) {
		return storage.RunUnknown, boom
	}})
	require.ErrorIs(t, err, boom)
	require.Equal(t, f.before, listKeys(t, f.b, ""))
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
