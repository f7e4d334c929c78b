package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// TestMonthlyViewsCatchUp runs specs/companies_views.yaml @monthly with six
// months of catch-up on a fake clock: each run makes the view named after
// its month's last day, holding exactly the companies created that month.
func TestMonthlyViewsCatchUp(t *testing.T) {
	t.Parallel()
	testutil.OnEachSQL(t, testMonthlyViews)
}

func testMonthlyViews(t *testing.T, dbURL string) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	var db *sqlx.DB
	require.True(t, store.As(&db))
	_, err = db.ExecContext(ctx, "CREATE TABLE companies (id integer, created_on date)")
	require.NoError(t, err)
	// one company on the first and one on the last day of each month from
	// December 2025 to July 2026
	var want = map[string][]int{}
	id := 0
	for m := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		for _, d := range []time.Time{m, m.AddDate(0, 1, -1)} {
			id++
			_, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO companies VALUES (%d, '%s')", id, d.Format("2006-01-02")))
			require.NoError(t, err)
			want[viewName(m)] = append(want[viewName(m)], id)
		}
	}
	r, err := registry(dbURL, "http://127.0.0.1:1", hawk.Credentials{ID: "unused", Key: "unused"})
	require.NoError(t, err)
	h := pipelinetest.New(t)
	clock := pipelinetest.NewFakeClock(time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC))
	views, err := catchUpViews(ctx, r, h.Backend, clock, 6)
	require.NoError(t, err)
	require.Equal(t, []string{"companies_2026_01_31", "companies_2026_02_28", "companies_2026_03_31",
		"companies_2026_04_30", "companies_2026_05_31", "companies_2026_06_30"}, views)
	for _, v := range views {
		var got []int
		_, err := store.ReadRows(ctx, v, func(row frictionless.Row) error {
			got = append(got, int(toInt(t, row[0])))
			return nil
		})
		require.NoError(t, err, v)
		require.ElementsMatch(t, want[v], got, v)
	}
	for _, absent := range []string{"companies_2025_12_31", "companies_2026_07_31"} {
		ok, err := store.TableExists(ctx, absent)
		require.NoError(t, err)
		require.False(t, ok, absent)
	}
}

func toInt(t *testing.T, v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	t.Fatalf("id %v is %T", v, v)
	return 0
}
