package tasks_test

import (
	"context"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// TestSQLDataInterval: a run fired by a @monthly cron trigger sees the
// trigger's interval [month start, next month start), not its @daily
// params.schedule; a manual run of the same pipeline, which carries no
// interval, falls back to params.schedule from its logical date.
func TestSQLDataInterval(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	store, err := sqlstore.Open(ctx, b.dbURL, nil)
	require.NoError(t, err)
	defer store.Close()
	var db *sqlx.DB
	require.True(t, store.As(&db))
	_, err = db.ExecContext(ctx, "CREATE TABLE seen (kind varchar(10), logical varchar(30), s varchar(30), e varchar(30))")
	require.NoError(t, err)
	const f = `"2006-01-02T15:04"`
	p, err := b.registry(t).Load(sqlSpec(t, "@daily",
		`INSERT INTO seen VALUES ({{ if eq .DataIntervalEnd.Day 1 }}'cron'{{ else }}'manual'{{ end }},
		 {{ literal (.LogicalDate.Format `+f+`) }}, {{ literal (.DataIntervalStart.Format `+f+`) }},
		 {{ literal (.DataIntervalEnd.Format `+f+`) }})`))
	require.NoError(t, err)

	clock := pipelinetest.NewFakeClock(time.Date(2026, 3, 10, 12, 30, 0, 0, time.UTC))
	sched := schedule.New(&schedule.Options{Synchronous: true, Clock: clock,
		RunOptions: func(string) *pipeline.RunOptions { return &pipeline.RunOptions{Backend: b.be} }})
	require.NoError(t, sched.AddPipeline(p, nil))
	require.NoError(t, sched.AddTrigger("monthly", schedule.CronTrigger{Cron: "@monthly",
		Start: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, p.Name()))
	require.NoError(t, sched.Tick(ctx))
	sched.Wait()
	require.NoError(t, sched.RunNow(ctx, p.Name(), nil))
	sched.Wait()

	var got [][4]string
	rows, err := db.QueryContext(ctx, "SELECT kind, logical, s, e FROM seen ORDER BY kind")
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var r [4]string
		require.NoError(t, rows.Scan(&r[0], &r[1], &r[2], &r[3]))
		got = append(got, r)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, [][4]string{
		{"cron", "2026-02-01T00:00", "2026-02-01T00:00", "2026-03-01T00:00"},
		{"manual", "2026-03-10T12:30", "2026-03-10T12:30", "2026-03-11T00:00"},
	}, got)
}
