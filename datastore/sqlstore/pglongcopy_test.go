package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/stretchr/testify/require"
)

// TestReplaceCopyFailureFailsLoad: a replace into a new-style staging
// table keeps one COPY open for the load (internal/pgstage longcopy.go).
// When the server fails that COPY (here its statement is cancelled), the
// rows of the batches already sent are gone with it, so the load must
// fail, not split the batch at hand and reject its rows: the error is a
// *pgstage.StreamError, nothing is rejected, and the table keeps its rows.
func TestReplaceCopyFailureFailsLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[1])
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}}
	old := &rowSlice{schema: schema, rows: []frictionless.Row{{int64(1), "old"}, {int64(2), "old"}}}
	_, err := datastore.Load(ctx, s, "kept", old, nil)
	require.NoError(t, err)

	var rows []frictionless.Row
	for i := range 200 {
		rows = append(rows, frictionless.Row{int64(i), "new"})
	}
	src := &gatedRows{rowSlice: rowSlice{schema: schema, rows: rows}, gate: make(chan struct{}), opened: make(chan struct{})}
	type result struct {
		rep *datastore.LoadReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := datastore.Load(ctx, s, "kept", src, &datastore.LoadOptions{Mode: datastore.ModeReplace, BatchSize: 1})
		done <- result{rep, err}
	}()
	<-src.opened
	db := rawDB(t, s)
	var pid int
	deadline := time.Now().Add(30 * time.Second)
	for pid == 0 && time.Now().Before(deadline) {
		err := db.GetContext(ctx, &pid, `SELECT coalesce(max(pid), 0) FROM pg_stat_activity
			WHERE state = 'active' AND starts_with(query, 'COPY ') AND strpos(query, current_schema()) > 0`)
		require.NoError(t, err)
		time.Sleep(5 * time.Millisecond)
	}
	require.NotZero(t, pid, "the load's COPY stays open between its batches")
	_, err = db.ExecContext(ctx, "SELECT pg_cancel_backend($1)", pid)
	require.NoError(t, err)
	close(src.gate)

	res := <-done
	var se *pgstage.StreamError
	require.ErrorAs(t, res.err, &se)
	require.Zero(t, res.rep.Rejected, "no row is blamed for the COPY's failure")
	require.Zero(t, res.rep.Written)
	var names []string
	require.NoError(t, db.SelectContext(ctx, &names, "SELECT name FROM kept ORDER BY id"))
	require.Equal(t, []string{"old", "old"}, names)
}
