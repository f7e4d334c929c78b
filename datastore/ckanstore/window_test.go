package ckanstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// pollStats is what a reader polling datastore_search saw.
type pollStats struct {
	reads, failures int
	// window is the summed time from a failed read to the next good one.
	window  time.Duration
	bad     map[int64]int // totals that were neither the old nor the new
	lastErr error
}

// poll searches id every interval until stop is closed, counting failures
// and totals outside ok (read under mu when the caller changes it).
func poll(ctx context.Context, c *ckan.Client, id string, interval time.Duration, stop <-chan struct{}, mu *sync.Mutex, ok map[int64]bool) *pollStats {
	st := &pollStats{bad: map[int64]int{}}
	var failedAt time.Time
	for {
		select {
		case <-stop:
			if !failedAt.IsZero() {
				st.window += time.Since(failedAt)
			}
			return st
		case <-time.After(interval):
		}
		res, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: id, Limit: new(0)})
		st.reads++
		if err != nil {
			st.failures++
			st.lastErr = err
			if failedAt.IsZero() {
				failedAt = time.Now()
			}
			continue
		}
		if !failedAt.IsZero() {
			st.window += time.Since(failedAt)
			failedAt = time.Time{}
		}
		mu.Lock()
		if !ok[*res.Total] {
			st.bad[*res.Total]++
		}
		mu.Unlock()
	}
}

// replaceWhilePolling runs replaces of the "people" table (an alias of a
// DataStore-only resource of the dataset) through the direct path (or the
// API when not direct), sizes[i] rows each, while one reader polls by alias and one by resource id. It
// returns what the two readers saw and the resource id.
func replaceWhilePolling(tb testing.TB, direct bool, sizes []int, interval time.Duration) (byAlias, byID *pollStats, id string) {
	ctx := context.Background()
	dsn := testutil.PostgresURL(tb)
	b := ckantest.NewFixture(tb, ckantest.Backend{Name: "postgres", DSN: func(testing.TB) string { return dsn }}, nil)
	opts := &ckanstore.StoreOptions{PackageID: b.DatasetID}
	if direct {
		opts.PostgresURL = dsn
	}
	store, err := ckanstore.Open(b.Editor, opts)
	require.NoError(tb, err)
	load := func(n int) {
		rep, err := datastore.Load(ctx, store, "people", &genReader{schema: employeesSchema(), n: n, start: testStart}, &datastore.LoadOptions{Mode: datastore.ModeReplace})
		require.NoError(tb, err)
		require.EqualValues(tb, n, rep.Written)
	}
	load(sizes[0])
	info, err := b.Anon.DatastoreInfo(ctx, "people")
	require.NoError(tb, err)
	id = info.Meta.ID
	var mu sync.Mutex
	ok := map[int64]bool{int64(sizes[0]): true}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { byAlias = poll(ctx, b.Anon, "people", interval, stop, &mu, ok) })
	wg.Go(func() { byID = poll(ctx, b.Anon, id, interval, stop, &mu, ok) })
	for i := 1; i < len(sizes); i++ {
		mu.Lock()
		ok[int64(sizes[i])] = true // old and new are both fine during the load
		mu.Unlock()
		load(sizes[i])
		time.Sleep(2 * interval) // let the readers see the new total
		mu.Lock()
		delete(ok, int64(sizes[i-1]))
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	info, err = b.Anon.DatastoreInfo(ctx, "people")
	require.NoError(tb, err)
	require.Equal(tb, id, info.Meta.ID, "the alias still names the same resource")
	require.Equal(tb, ckan.StringList{"people"}, info.Meta.Aliases)
	return byAlias, byID, id
}

// TestDirectReplaceNeverMissing (issue 17, point 6): during many direct
// replaces, readers polling datastore_search by alias and by resource id
// never get an error and only ever see the old or the new total.
func TestDirectReplaceNeverMissing(t *testing.T) {
	t.Parallel()
	sizes := []int{3000, 5000, 4000, 6000, 3500, 5500, 4500, 6500}
	byAlias, byID, _ := replaceWhilePolling(t, true, sizes, 2*time.Millisecond)
	for name, st := range map[string]*pollStats{"alias": byAlias, "resource id": byID} {
		t.Logf("%s: %d reads, %d failures over %v", name, st.reads, st.failures, st.window)
		require.Positive(t, st.reads, name)
		require.Zero(t, st.failures, "%s: a reader got an error (last: %v), %v without an answer", name, st.lastErr, st.window)
		require.Empty(t, st.bad, "%s: a reader saw a partial total", name)
	}
}

// BenchmarkReplaceWindow replaces 200k rows through the direct path (20k
// through the API) while readers poll datastore_search by alias and by
// resource id every 10 ms (the acceptance of issue 17), and reports how
// long each found no answer (window-ms), how many reads failed and how
// many saw a total that was neither the old nor the new one.
func BenchmarkReplaceWindow(b *testing.B) {
	for _, v := range []struct {
		name   string
		direct bool
		rows   int
	}{{"direct", true, 200_000}, {"api", false, 20_000}} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				byAlias, byID, _ := replaceWhilePolling(b, v.direct, []int{v.rows, v.rows + 1}, 10*time.Millisecond)
				b.ReportMetric(float64(byAlias.window.Milliseconds()), "alias-window-ms")
				b.ReportMetric(float64(byAlias.failures), "alias-failures")
				b.ReportMetric(float64(byID.window.Milliseconds()), "id-window-ms")
				b.ReportMetric(float64(byID.failures), "id-failures")
				b.ReportMetric(float64(partialReads(byAlias)+partialReads(byID)), "partial-reads")
			}
		})
	}
}

// partialReads counts the reads that saw a partial total.
func partialReads(st *pollStats) int {
	n := 0
	for _, c := range st.bad {
		n += c
	}
	return n
}
