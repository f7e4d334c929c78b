package aircan_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

// TestLoadEmployees: ckan_load loads employees.csv into ckantest end to
// end (1929 rows searchable, 70 rejects kept with their rows, a status
// event for every task, one progress and one complete update), and the
// same load again in upsert mode leaves 1929 rows.
func TestLoadEmployees(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, "")
	sum, err := b.run(t, b.conf(t, nil))
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.EqualValues(t, 1929, b.total(t))

	c, err := ckan.NewClient(b.srv.URL(), nil)
	require.NoError(t, err)
	found, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.resID, Filters: map[string]any{"employee_id": 4}})
	require.NoError(t, err)
	require.Len(t, found.Records, 1)
	require.Equal(t, "Lotti Crowthe", found.Records[0]["employee_name"])
	res, err := c.ResourceShow(ctx, b.resID)
	require.NoError(t, err)
	require.True(t, res.DatastoreActive)

	rejects := readRejects(t, b, sum.RunID, aircan.TaskValidate)
	require.Len(t, rejects, 71, "header + 70 rejects")
	require.Equal(t, []string{"row", "line", "field", "value", "reason", "raw", "stage"}, rejects[0])
	for _, rec := range rejects[1:] {
		require.NotEmpty(t, rec[0], "row number")
		require.NotEmpty(t, rec[2], "field")
		require.Equal(t, "value is required", rec[4])
		require.True(t, strings.HasPrefix(rec[5], `["`), "raw cells: %s", rec[5])
		require.Equal(t, "validation", rec[6])
	}
	require.Len(t, readRejects(t, b, sum.RunID, aircan.TaskLoad), 1, "the DataStore refused nothing (header only)")

	states, calls := b.updates(sum.RunID)
	require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, states)
	require.Contains(t, calls[1].Message, "1929 rows loaded into the DataStore (replace), 70 rejected")
	require.Contains(t, calls[1].Message, "validate/rejects.csv")
	requireTaskEvents(t, b, sum.RunID)
	requireResourceJSON(t, b, sum.RunID)

	// upsert on employee_id: the same file again leaves 1929 rows
	sum, err = b.run(t, b.conf(t, func(res, _ map[string]any) {
		res["datastore_append_or_update"], res["datastore_unique_keys"] = true, []string{"employee_id"}
	}))
	require.NoError(t, err)
	require.EqualValues(t, 1929, b.total(t))
	states, calls = b.updates(sum.RunID)
	require.Equal(t, []string{ckan.StateProgress, ckan.StateComplete}, states)
	require.Contains(t, calls[1].Message, "1929 rows loaded into the DataStore (upsert)")
	info, err := c.DatastoreInfo(ctx, b.resID)
	require.NoError(t, err)
	require.True(t, info.Fields[0].Schema.UniqueKey, "employee_id became the unique key")
	var tbl map[string]any
	require.NoError(t, b.backend().Output(ctx, mustPipeline(t, b), sum.RunID, aircan.TaskCreateTable, "table", &tbl))
	require.Equal(t, "kept, unique key set", tbl["action"])

	// replace again
	sum, err = b.run(t, b.conf(t, nil))
	require.NoError(t, err)
	require.Equal(t, pipeline.StateSuccess, sum.State)
	require.EqualValues(t, 1929, b.total(t))
	require.Len(t, b.srv.StatusUpdates(), 6, "two updates per run, three runs")
}

// TestDataStoreRejects: rows the DataStore refuses (keys repeated in the
// file, which validation does not hold in memory) are rejected by the
// load task, kept in load/rejects.csv and counted in the complete update.
func TestDataStoreRejects(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.cfg.FileRoot = t.TempDir()
	csvData := "employee_id,employee_name,hiring_date,department_id,job_id\n" +
		"1,Ann,2021-01-01T00:00:00Z,1,1\n2,Bo,2021-01-02T00:00:00Z,1,1\n1,Ann again,2021-01-03T00:00:00Z,1,1\n" +
		"3,Cy,2021-01-04T00:00:00Z,1,1\n2,Bo again,2021-01-05T00:00:00Z,1,1\n"
	require.NoError(t, os.WriteFile(filepath.Join(b.cfg.FileRoot, "dups.csv"), []byte(csvData), 0o600))
	sum, err := b.run(t, b.conf(t, func(res, _ map[string]any) {
		res["path"], res["datastore_unique_keys"] = "dups.csv", []string{"employee_id"}
		delete(res, "dialect")
	}))
	require.NoError(t, err)
	require.EqualValues(t, 3, b.total(t))
	rejects := readRejects(t, b, sum.RunID, aircan.TaskLoad)
	require.Len(t, rejects, 3, "header + 2")
	require.Equal(t, "database", rejects[1][6])
	require.Contains(t, rejects[1][5], "Ann again")
	_, calls := b.updates(sum.RunID)
	require.Contains(t, calls[1].Message, "3 rows loaded into the DataStore (replace), 2 rejected; rejects in ckan_load/"+sum.RunID+"/load/rejects.csv")
}

// TestDownloadOverHTTP: the data comes from the resource URL (no path in
// the conf); the key goes to the CKAN site's own upload URL only.
func TestDownloadOverHTTP(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.cfg.FileRoot = ""
	sum, err := b.run(t, b.conf(t, func(res, _ map[string]any) { delete(res, "path") }))
	require.NoError(t, err, "%v", sum)
	require.EqualValues(t, 1929, b.total(t))
	require.Equal(t, []string{b.token}, b.authSeen, "the upload on the CKAN site got the key")

	other := setup(t, "")
	other.cfg.FileRoot = ""
	sum, err = other.run(t, other.conf(t, func(res, _ map[string]any) { res["path"] = b.site + "/uploads/employees.csv" }))
	require.NoError(t, err, "%v", sum)
	require.EqualValues(t, 1929, other.total(t))
	require.Equal(t, []string{b.token, ""}, b.authSeen, "another site's URL got no key")

	sum, err = other.run(t, other.conf(t, nil))
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	_, calls := other.updates(sum.RunID)
	require.Contains(t, calls[len(calls)-1].ErrorMessage, "local files are not allowed")

	sum, err = b.run(t, b.conf(t, func(res, _ map[string]any) { res["path"] = b.site + "/uploads/missing.csv?sig=abc" }))
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	_, calls = b.updates(sum.RunID)
	require.Contains(t, calls[len(calls)-1].ErrorMessage, "/uploads/missing.csv: HTTP 404")
	require.NotContains(t, calls[len(calls)-1].ErrorMessage, "sig=abc", "queries (signed URLs) are not echoed")
}

func mustPipeline(t *testing.T, b *bundle) *pipeline.Pipeline {
	t.Helper()
	p, err := aircan.New(b.cfg)
	require.NoError(t, err)
	return p
}

// readRejects reads a task's rejects.csv.
func readRejects(t *testing.T, b *bundle, runID, task string) [][]string {
	t.Helper()
	rd, err := b.bucket.Run(aircan.Name, runID).Task(task).NewReader(context.Background(), aircan.RejectsFile)
	require.NoError(t, err)
	defer rd.Close()
	recs, err := csv.NewReader(rd).ReadAll()
	require.NoError(t, err)
	if len(recs) == 0 {
		return [][]string{{"(empty)"}}
	}
	return recs
}

// requireTaskEvents checks the status store has an event for every task.
func requireTaskEvents(t *testing.T, b *bundle, runID string) {
	t.Helper()
	evs, err := b.status.Events(context.Background(), runID)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, ev := range evs {
		seen[ev.Operation] = true
	}
	for _, task := range aircan.Tasks() {
		require.True(t, seen[task], "status event for task %s", task)
	}
}

// requireResourceJSON checks every task wrote a readable resource.json.
func requireResourceJSON(t *testing.T, b *bundle, runID string) {
	t.Helper()
	for _, task := range aircan.Tasks() {
		res, err := b.bucket.Run(aircan.Name, runID).Task(task).GetResource(context.Background())
		require.NoError(t, err, task)
		require.Equal(t, "employees.csv", res.Name, task)
		require.NotNil(t, res.Schema, task)
		var df, ckan map[string]any
		require.NoError(t, json.Unmarshal(res.Extra["datafactory"], &df))
		require.NoError(t, json.Unmarshal(res.Extra["ckan"], &ckan))
		require.Equal(t, "success", df["state"], task)
		require.Equal(t, task, df["task"])
		require.Equal(t, b.resID, ckan["resource_id"], task)
	}
}
