package datastoretest

import (
	"errors"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/stretchr/testify/require"
)

// testAppend creates the table on the first load and adds rows on the next.
func testAppend(t *testing.T, b *bundle) {
	rep, err := b.load(t, "people", people(), peopleCSV("1,ann,1.5", "2,bob,2"), nil)
	require.NoError(t, err)
	require.True(t, rep.Created)
	require.EqualValues(t, 2, rep.Written)
	rep, err = b.load(t, "people", people(), peopleCSV("3,cy,3", "4,di,"), nil)
	require.NoError(t, err)
	require.False(t, rep.Created)
	require.EqualValues(t, 2, rep.Written)
	require.Equal(t, map[int64]string{1: "ann", 2: "bob", 3: "cy", 4: "di"}, byID(t, b.rows(t, "people")))
	require.Nil(t, b.rows(t, "people")[3][2], "empty score is NULL")
	b.noStaging(t)
}

// testBisect: rows the database refuses (duplicate keys) are isolated by
// splitting the batch; the good rows of the batch are written.
func testBisect(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,a,1", "5,e,5"), nil)
	require.NoError(t, err)
	text := peopleCSV("10,j,1", "11,k,1", "1,dup,1", "12,l,1", "13,m,1", "14,n,1", "5,dup,1", "15,o,1", "15,dup-in-file,1", "16,p,1")
	rep, err := b.load(t, "people", people(), text, &datastore.LoadOptions{BatchSize: 4})
	require.NoError(t, err)
	require.EqualValues(t, 10, rep.Read)
	require.EqualValues(t, 7, rep.Written)
	require.EqualValues(t, 3, rep.Rejected)
	var rows []int
	for _, r := range rep.Rejects {
		require.Equal(t, datastore.StageDatabase, r.Stage)
		require.Equal(t, r.Row+1, r.Line, "the header is line 1")
		require.NotEmpty(t, r.Reason)
		require.Equal(t, "dup", r.Raw[1][:3], "raw cells of the refused row: %q", r.Raw)
		rows = append(rows, r.Row)
	}
	require.Equal(t, []int{3, 7, 9}, rows)
	got := byID(t, b.rows(t, "people"))
	require.Len(t, got, 9)
	require.Equal(t, "a", got[1])
	require.Equal(t, "o", got[15])
}

// testReplaceRepeatedKey: in a replace (and a new table), a key repeated
// in the file, within a batch or across batches, is refused by the
// database for its second row, which is isolated and rejected; the other
// rows are the table, and its key holds afterwards.
func testReplaceRepeatedKey(t *testing.T, b *bundle) {
	text := peopleCSV("10,j,1", "11,k,1", "10,dup,1", "12,l,1", "13,m,1", "14,n,1", "11,dup,1", "15,o,1", "15,dup,1")
	// The first load creates the table, the second replaces it.
	for _, mode := range []datastore.Mode{datastore.ModeAppend, datastore.ModeReplace} {
		rep, err := b.load(t, "people", people(), text, &datastore.LoadOptions{Mode: mode, BatchSize: 4})
		require.NoError(t, err)
		require.EqualValues(t, 9, rep.Read)
		require.EqualValues(t, 6, rep.Written)
		var rows []int
		for _, r := range rep.Rejects {
			require.Equal(t, datastore.StageDatabase, r.Stage)
			require.Equal(t, "dup", r.Raw[1], "raw cells of the refused row: %q", r.Raw)
			rows = append(rows, r.Row)
		}
		require.Equal(t, []int{3, 7, 9}, rows)
		require.Equal(t, map[int64]string{10: "j", 11: "k", 12: "l", 13: "m", 14: "n", 15: "o"}, byID(t, b.rows(t, "people")))
	}
	rep, err := b.load(t, "people", people(), peopleCSV("10,again,1"), nil)
	require.NoError(t, err)
	require.EqualValues(t, 1, rep.Rejected, "the key holds after the replace")
	require.Equal(t, "j", byID(t, b.rows(t, "people"))[10])
}

// testUpsert updates existing keys and inserts new ones.
func testUpsert(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1", "2,bob,2", "3,cy,3"), nil)
	require.NoError(t, err)
	rep, err := b.load(t, "people", people(), peopleCSV("2,BOB,20", "4,di,4", "4,DI,40"), &datastore.LoadOptions{Mode: datastore.ModeUpsert, BatchSize: 3})
	require.NoError(t, err)
	require.EqualValues(t, 3, rep.Written, "rejects: %+v", rep.Rejects)
	got := b.rows(t, "people")
	require.Equal(t, map[int64]string{1: "ann", 2: "BOB", 3: "cy", 4: "DI"}, byID(t, got))
	requireNumber(t, "20", got[1][2])
	// Rows without the score column update the name and keep the score.
	narrow := people()
	narrow.Fields = narrow.Fields[:2]
	rep, err = b.load(t, "people", narrow, "id,name\n3,CY\n5,ed\n", &datastore.LoadOptions{Mode: datastore.ModeUpsert, Drift: datastore.DriftEvolve})
	require.NoError(t, err)
	require.EqualValues(t, 2, rep.Written)
	got = b.rows(t, "people")
	require.Equal(t, map[int64]string{1: "ann", 2: "BOB", 3: "CY", 4: "DI", 5: "ed"}, byID(t, got))
	requireNumber(t, "3", got[2][2], "score kept")
	require.Nil(t, got[4][2])
	// Upsert into a missing table creates it.
	rep, err = b.load(t, "fresh", people(), peopleCSV("7,g,7"), &datastore.LoadOptions{Mode: datastore.ModeUpsert})
	require.NoError(t, err)
	require.True(t, rep.Created)
	require.Equal(t, map[int64]string{7: "g"}, byID(t, b.rows(t, "fresh")))
}

// testUpsertNeedsKey: upsert into a table without a primary key fails.
func testUpsertNeedsKey(t *testing.T, b *bundle) {
	s := people()
	s.PrimaryKey = nil
	_, err := b.load(t, "nokey", s, peopleCSV("1,a,1"), nil)
	require.NoError(t, err)
	_, err = b.load(t, "nokey", s, peopleCSV("1,b,1"), &datastore.LoadOptions{Mode: datastore.ModeUpsert})
	require.ErrorIs(t, err, datastore.ErrInvalidOptions)
	require.Equal(t, map[int64]string{1: "a"}, byID(t, b.rows(t, "nokey")))
}

// testReplace swaps the content in; no staging table remains.
func testReplace(t *testing.T, b *bundle) {
	replace := &datastore.LoadOptions{Mode: datastore.ModeReplace}
	rep, err := b.load(t, "people", people(), peopleCSV("1,ann,1", "2,bob,2"), replace)
	require.NoError(t, err)
	require.True(t, rep.Created)
	rep, err = b.load(t, "people", people(), peopleCSV("3,cy,3", "4,di,4", "5,ed,5"), replace)
	require.NoError(t, err)
	require.False(t, rep.Created)
	require.EqualValues(t, 3, rep.Written)
	require.Equal(t, map[int64]string{3: "cy", 4: "di", 5: "ed"}, byID(t, b.rows(t, "people")))
	desc, err := b.s.DescribeTable(b.ctx, "people")
	require.NoError(t, err)
	require.Equal(t, []string{"id"}, desc.PrimaryKey, "the key is built on the staging table and kept")
	// The key still holds after the swap.
	rep, err = b.load(t, "people", people(), peopleCSV("3,again,3"), nil)
	require.NoError(t, err)
	require.EqualValues(t, 1, rep.Rejected)
	b.noStaging(t)
}

// testReplaceKeepsViews: a view over the table keeps working after a
// replace and shows the new rows.
func testReplaceKeepsViews(t *testing.T, b *bundle) {
	_, err := b.load(t, "people", people(), peopleCSV("1,ann,1", "2,bob,2"), nil)
	require.NoError(t, err)
	if err := b.h.CreateView(b.ctx, b.s, "people_view", "people"); errors.Is(err, errors.ErrUnsupported) {
		t.Skip("backend has no views")
	} else {
		require.NoError(t, err)
	}
	rep, err := b.load(t, "people", people(), peopleCSV("3,cy,3", "4,di,4", "5,ed,5"), &datastore.LoadOptions{Mode: datastore.ModeReplace})
	require.NoError(t, err)
	require.EqualValues(t, 3, rep.Written)
	n, err := b.h.CountRows(b.ctx, b.s, "people_view")
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.Equal(t, map[int64]string{3: "cy", 4: "di", 5: "ed"}, byID(t, b.rows(t, "people")))
	b.noStaging(t)
}

// testEmpty: an empty source creates an empty table.
func testEmpty(t *testing.T, b *bundle) {
	rep, err := b.load(t, "empty", people(), "id,name,score\n", nil)
	require.NoError(t, err)
	require.True(t, rep.Created)
	require.Zero(t, rep.Read)
	ok, err := b.s.TableExists(b.ctx, "empty")
	require.NoError(t, err)
	require.True(t, ok)
	require.Empty(t, b.rows(t, "empty"))
}
