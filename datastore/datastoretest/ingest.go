package datastoretest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// decodeObjects decodes a JSON array of objects as an HTTP handler would.
func decodeObjects(t *testing.T, text string) []map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var out []map[string]any
	require.NoError(t, d.Decode(&out))
	return out
}

// testIngest: valid objects are written in one transaction; each bad one
// gets its own result.
func testIngest(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1"), nil)
	require.NoError(t, err)
	objs := decodeObjects(t, `[
		{"id": 2, "name": "bob", "score": 2.5},
		{"name": "no id"},
		{"id": "three", "name": "bad id"},
		{"id": 4, "name": "di", "extra": true},
		{"id": 1, "name": "duplicate"},
		{"id": 5, "score": null}
	]`)
	rep, err := datastore.Ingest(b.ctx, b.s, "people", objs, nil)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Written)
	require.Equal(t, 4, rep.Rejected)
	require.Len(t, rep.Results, 6)
	wantField := []string{"", "id", "id", "extra", "", ""}
	for i, r := range rep.Results {
		require.Equal(t, i, r.Index)
		written := i == 0 || i == 5
		require.Equal(t, written, r.Written, "row %d: %v", i, r.Err)
		if written {
			require.NoError(t, r.Err)
			continue
		}
		var re *datastore.RowError
		require.ErrorAs(t, r.Err, &re)
		require.Equal(t, i+1, re.Row)
		if wantField[i] != "" {
			require.Equal(t, wantField[i], re.Field)
		}
	}
	require.Equal(t, map[int64]string{1: "ann", 2: "bob", 5: ""}, byID(t, b.rows(t, "people")))

	rep, err = datastore.Ingest(b.ctx, b.s, "people", decodeObjects(t, `[{"id": 1, "name": "ANN"}]`), &datastore.IngestOptions{Mode: datastore.ModeUpsert})
	require.NoError(t, err)
	require.Equal(t, 1, rep.Written)
	require.Equal(t, "ANN", byID(t, b.rows(t, "people"))[1])

	_, err = datastore.Ingest(b.ctx, b.s, "people", nil, nil)
	require.ErrorIs(t, err, datastore.ErrInvalidOptions)
	_, err = datastore.Ingest(b.ctx, b.s, "people", make([]map[string]any, datastore.MaxIngestRows+1), nil)
	require.ErrorIs(t, err, datastore.ErrInvalidOptions)
	_, err = datastore.Ingest(b.ctx, b.s, "missing", objs, nil)
	require.ErrorIs(t, err, datastore.ErrNotFound)
	_, err = datastore.Ingest(b.ctx, b.s, "people", objs, &datastore.IngestOptions{Mode: datastore.ModeReplace})
	require.ErrorIs(t, err, datastore.ErrInvalidOptions)
}

// testIngestRows: typed rows are checked against their fields.
func testIngestRows(t *testing.T, b *bundle) {
	require.NoError(t, b.s.CreateTable(b.ctx, "people", people()))
	rows := []frictionless.Row{
		{int64(1), "ann", 1.5},
		{"not an int", "bob", 2.0},
		{int64(3), "cy"},
		{nil, "no id", 1.0},
		{int64(4), "di", nil},
	}
	rep, err := datastore.IngestRows(b.ctx, b.s, "people", rows, nil)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Written)
	require.True(t, rep.Results[0].Written)
	require.False(t, rep.Results[1].Written)
	require.False(t, rep.Results[2].Written)
	require.False(t, rep.Results[3].Written)
	require.True(t, rep.Results[4].Written)
	var re *datastore.RowError
	require.ErrorAs(t, rep.Results[3].Err, &re)
	require.Equal(t, "id", re.Field)
	require.Equal(t, map[int64]string{1: "ann", 4: "di"}, byID(t, b.rows(t, "people")))
}
