package datastore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// openCities opens an in-memory store with an empty cities table.
func openCities(t *testing.T) *datastore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), "sqlite::memory:", nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.CreateTable(context.Background(), "cities", cities))
	return s
}

// requireRowError checks a result's error names the field once, in Field,
// and that Reason is the bare reason.
func requireRowError(t *testing.T, err error, row int, field, reason string) {
	t.Helper()
	var re *datastore.RowError
	require.ErrorAs(t, err, &re)
	require.Equal(t, row, re.Row)
	require.Equal(t, field, re.Field)
	require.Equal(t, reason, re.Reason)
	require.Equal(t, 1, strings.Count(re.Error(), field), "%q names the field once", re.Error())
}

// TestIngestReasons: rejected rows say which field failed and why, without
// repeating the field in the reason, for JSON objects and typed rows.
func TestIngestReasons(t *testing.T) {
	t.Parallel()
	s := openCities(t)
	ctx := context.Background()
	rep, err := datastore.Ingest(ctx, s, "cities", []map[string]any{
		{"id": 1, "name": "Oslo"},
		{"id": "one", "name": "Bergen"},
		{"id": 3},
		{"id": 4, "name": "Bodø", "population": -1.5},
	}, nil)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Written)
	require.Equal(t, 3, rep.Rejected)
	requireRowError(t, rep.Results[1].Err, 2, "id", `cannot cast "one" to integer`)
	requireRowError(t, rep.Results[2].Err, 3, "name", "value is required")
	requireRowError(t, rep.Results[3].Err, 4, "population", `cannot cast "-1.5" to integer`)

	rep, err = datastore.IngestRows(ctx, s, "cities", []frictionless.Row{
		{int64(5), "Tromsø", int64(77000)},
		{"five", "Alta", nil},
		{int64(7), nil, nil},
	}, &datastore.IngestOptions{Mode: datastore.ModeUpsert})
	require.NoError(t, err)
	require.Equal(t, 1, rep.Written)
	requireRowError(t, rep.Results[1].Err, 2, "id", `cannot cast "five" to integer`)
	requireRowError(t, rep.Results[2].Err, 3, "name", "value is required")
}
