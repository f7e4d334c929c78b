package sqlstore_test

import (
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestPgUpsertRewriteDenseKeys: a rewrite whose staged keys fill one range
// keeps the target's rows below and above it; staged keys with a gap, or a
// gap hidden by a repeated key (as many rows as the range has integers),
// keep the target's row in the gap.
func TestPgUpsertRewriteDenseKeys(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		n     int               // rows upserted
		key   func(i int) int64 // key of row i
		kept  map[int64]string  // target rows that must stay as they were
		count int               // rows after the upsert
	}{
		{"one range", 150_000, func(i int) int64 { return int64(50_001 + i) },
			map[int64]string{1: "old1", 50_000: "old50000", 300_000: "old300000", 300_009: "old300009"}, 200_010},
		{"a gap", 150_000, gapAt100k,
			map[int64]string{50_000: "old50000", 100_000: "old100000", 300_000: "old300000"}, 200_011},
		{"a gap and a repeated key", 150_001, func(i int) int64 {
			// The repeat opens the second batch, between keys the
			// others copy: the least and greatest keys stay in view.
			switch {
			case i < 20_000:
				return gapAt100k(i)
			case i == 20_000:
				return 60_000
			}
			return gapAt100k(i - 1)
		}, map[int64]string{50_000: "old50000", 100_000: "old100000", 300_009: "old300009"}, 200_011},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, backends[1])
			db := rawDB(t, s).DB
			seedMany(t, s, 150_000)
			_, err := db.Exec(`INSERT INTO emp SELECT g, 'old' || g, now(), 1, 1 FROM generate_series(300000, 300009) g`)
			require.NoError(t, err)
			_, err = db.Exec(`VACUUM ANALYZE emp`)
			require.NoError(t, err)
			before := relOID(t, db)
			rep, err := upsertRows(t, s, &funcReader{n: c.n, row: func(i int) frictionless.Row {
				return employee(c.key(i), "new")
			}}, &datastore.LoadOptions{BatchSize: 20_000})
			require.NoError(t, err)
			require.EqualValues(t, c.n, rep.Written)
			require.NotEqual(t, before, relOID(t, db), "rewritten")
			var n int
			require.NoError(t, db.QueryRow("SELECT count(*) FROM emp").Scan(&n))
			require.Equal(t, c.count, n)
			ids := []int64{50_001, 150_000}
			for id := range c.kept {
				ids = append(ids, id)
			}
			want := map[int64]string{50_001: "new50001", 150_000: "new150000"}
			for id, name := range c.kept {
				want[id] = name
			}
			require.Equal(t, want, empNames(t, db, ids...))
		})
	}
}

// gapAt100k is the key of row i: 50,001 to 200,001 without 100,000.
func gapAt100k(i int) int64 {
	if k := int64(50_001 + i); k < 100_000 {
		return k
	}
	return int64(50_002 + i)
}
