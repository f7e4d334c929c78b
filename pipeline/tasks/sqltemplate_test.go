package tasks_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// sqlSpec is a one-task spec of a sql task on database "db".
func sqlSpec(t *testing.T, schedule string, statements ...string) []byte {
	t.Helper()
	params := map[string]any{"db": "db", "statements": statements}
	if schedule != "" {
		params["schedule"] = schedule
	}
	spec, err := json.Marshal(map[string]any{"name": "s", "tasks": []any{map[string]any{"name": "t", "type": "sql", "params": params}}})
	require.NoError(t, err)
	return spec
}

// hostile holds both quote characters, a backslash and a statement end.
const hostile = `x'); DROP TABLE keep; -- " ` + "`" + ` \' \`

// TestSQLTemplates: the logical date, the interval to the schedule's next
// activation and their formats reach the statements; ident and literal keep
// a hostile value one identifier and one literal on every database.
func TestSQLTemplates(t *testing.T) {
	t.Parallel()
	testutil.OnEachSQL(t, testSQLTemplates)
}

func testSQLTemplates(t *testing.T, dbURL string) {
	ctx := context.Background()
	r := pipeline.NewRegistry()
	require.NoError(t, tasks.Register(r, &tasks.Options{Connections: &connection.Set{
		Databases: map[string]connection.Database{"db": {URL: dbURL}}}}))
	p, err := r.Load(sqlSpec(t, "@monthly",
		`CREATE TABLE keep (v varchar(200))`,
		`CREATE TABLE {{ ident (printf "sales_%s" (.LogicalDate.Format "2006_01")) }} (v varchar(200))`,
		`INSERT INTO {{ ident (printf "sales_%s" (.LogicalDate.Format "2006_01")) }} VALUES
		 ({{ literal (.DataIntervalStart.Format "2006-01-02") }}), ({{ literal (.DataIntervalEnd.Format "2006-01-02") }}),
		 ({{ literal ((.DataIntervalEnd.AddDate 0 0 -1).Format "2006_01_02") }}), ({{ literal "`+escapeTmpl(hostile)+`" }})`,
		`CREATE TABLE {{ ident "`+escapeTmpl(hostile)+`" }} (v integer)`,
	))
	require.NoError(t, err)
	logical := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	sum, err := pipeline.Run(ctx, p, nil, &pipeline.RunOptions{Backend: setup(t).be, LogicalDate: logical})
	require.NoError(t, err, sum)

	store, err := sqlstore.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	defer store.Close()
	var db *sqlx.DB
	require.True(t, store.As(&db))
	var got []string
	require.NoError(t, db.SelectContext(ctx, &got, "SELECT v FROM sales_2026_02"))
	require.ElementsMatch(t, []string{"2026-02-01", "2026-03-01", "2026_02_28", hostile}, got)
	for _, table := range []string{"keep", hostile} {
		var n int
		require.NoError(t, db.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+quoteFor(db, table)), table)
	}
}

// escapeTmpl writes s as the body of a Go template string literal.
func escapeTmpl(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func quoteFor(db *sqlx.DB, name string) string {
	if db.DriverName() == "mysql" {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// TestSQLTemplatesRefused: templates reaching what is not exposed (the
// conf, the environment, files), bad syntax and bad schedules fail when the
// pipeline is built.
func TestSQLTemplatesRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.registry(t)
	for _, stmt := range []string{
		`SELECT {{ .Conf }}`, `SELECT {{ env "HOME" }}`, `SELECT {{ readFile "/etc/passwd" }}`,
		`SELECT {{ .LogicalDate`, `SELECT {{ ident "" }}`, `SELECT {{ literal "a\x00b" }}`,
	} {
		_, err := r.Load(sqlSpec(t, "", stmt))
		require.Error(t, err, stmt)
	}
	_, err := r.Load(sqlSpec(t, "@fortnightly", "SELECT 1"))
	require.Error(t, err)
}

// TestSQLTemplatesNoSchedule: without a schedule the interval is empty.
func TestSQLTemplatesNoSchedule(t *testing.T) {
	t.Parallel()
	d := tasks.NewSQLDates(time.Date(2026, 5, 3, 4, 0, 0, 0, time.FixedZone("x", 3600)), nil)
	require.Equal(t, d.LogicalDate, d.DataIntervalEnd)
	require.Equal(t, time.UTC, d.LogicalDate.Location())
}
