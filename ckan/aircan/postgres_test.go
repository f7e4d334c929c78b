package aircan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// TestDirectPostgres: with aircan_load_with_postgres_copy, on a
// PostgreSQL-backed ckantest, the load goes straight into the DataStore's
// database (COPY and an atomic swap: no datastore_upsert at all), the rows
// are searchable through the API, and a second replace swaps again; the
// API path and upsert still work on the same table.
func TestDirectPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testutil.PostgresURL(t)
	b := setup(t, dsn)
	b.cfg.PostgresURL = ckan.Secret(dsn)
	direct := func(_, ckan map[string]any) { ckan["aircan_load_with_postgres_copy"] = true }

	for i := range 2 {
		sum, err := b.run(t, b.conf(t, direct))
		require.NoError(t, err)
		require.EqualValues(t, 1929, b.total(t))
		require.Zero(t, b.calls("datastore_upsert"), "no row went through the API")
		states, calls := b.updates(sum.RunID)
		require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, states)
		require.Contains(t, calls[1].Message, "1929 rows loaded into the DataStore (replace, direct PostgreSQL), 70 rejected")
		var tbl map[string]any
		require.NoError(t, b.backend().Output(ctx, mustPipeline(t, b), sum.RunID, aircan.TaskCreateTable, "table", &tbl))
		require.Equal(t, "deferred", tbl["action"], "run %d: the load swaps the table in", i)
	}
	c, err := ckan.NewClient(b.srv.URL(), nil)
	require.NoError(t, err)
	found, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.resID, Q: "Lotti Crowthe"})
	require.NoError(t, err)
	require.Len(t, found.Records, 1, "the full-text index was filled by the direct load")
	res, err := c.ResourceShow(ctx, b.resID)
	require.NoError(t, err)
	require.True(t, res.DatastoreActive)
	var leftovers int
	require.NoError(t, b.srv.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name LIKE '\_df%'`).Scan(&leftovers))
	require.Zero(t, leftovers, "no staging table is left")

	// a changed schema (a key now) makes create_table drop the old table
	sum, err := b.run(t, b.conf(t, func(res, ckan map[string]any) {
		direct(res, ckan)
		res["datastore_unique_keys"] = "employee_id"
	}))
	require.NoError(t, err)
	var tbl map[string]any
	require.NoError(t, b.backend().Output(ctx, mustPipeline(t, b), sum.RunID, aircan.TaskCreateTable, "table", &tbl))
	require.Equal(t, "dropped", tbl["action"])
	require.EqualValues(t, 1929, b.total(t))

	// upsert keeps the table and goes through the API
	_, err = b.run(t, b.conf(t, func(res, ckan map[string]any) {
		direct(res, ckan)
		res["datastore_append_or_update"], res["datastore_unique_keys"] = true, []string{"employee_id"}
	}))
	require.NoError(t, err)
	require.EqualValues(t, 1929, b.total(t))
	require.Positive(t, b.calls("datastore_upsert"))
	require.False(t, strings.Contains(b.logs.String(), dsn), "the database URL is not logged")
	require.Equal(t, pipeline.StateSuccess, sum.State)
}
