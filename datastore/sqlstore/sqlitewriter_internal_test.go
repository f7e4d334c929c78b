package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestSQLiteWriterSubjournalInMemory: a SQLite writer's connection keeps
// its sub-journal in memory (temp_store MEMORY) for the session, also
// after a refused Write, and the pool gets the connection back at the
// default after Commit and after Abort. A URL that sets temp_store itself
// keeps its setting throughout, and so does an in-memory database's one
// connection.
func TestSQLiteWriterSubjournalInMemory(t *testing.T) {
	ctx := context.Background()
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}}, PrimaryKey: []string{"id"}}
	for _, c := range []struct {
		file, query   string // file "": in memory
		during, after int
	}{
		{"t.db", "", 2, 0},
		{"t.db", "?_pragma=temp_store(FILE)", 1, 1},
		{"", "", 0, 0}, // in memory: its journal, and so its sub-journal, is in memory already
	} {
		for _, commit := range []bool{true, false} {
			url := "sqlite::memory:"
			if c.file != "" {
				url = "sqlite://" + filepath.Join(t.TempDir(), c.file) + c.query
			}
			drv, err := openDriver(ctx, url, &Options{MaxOpenConns: 1}) // the writer's connection is the pool's
			require.NoError(t, err)
			w, err := drv.OpenWriter(ctx, &driver.WriteRequest{Table: "t", Columns: schema.Fields, TableSchema: schema, Mode: driver.Replace})
			require.NoError(t, err)
			require.NoError(t, w.Write(ctx, []frictionless.Row{{int64(1)}, {int64(2)}}))
			require.Error(t, w.Write(ctx, []frictionless.Row{{int64(3)}, {int64(1)}}), "a repeated key")
			var mode int
			require.NoError(t, w.(*sqliteWriter).tx.GetContext(ctx, &mode, "PRAGMA temp_store"))
			require.Equal(t, c.during, mode, "%s during the session", url)
			if commit {
				require.NoError(t, w.Commit(ctx))
			} else {
				require.NoError(t, w.Abort())
			}
			require.NoError(t, drv.db.GetContext(ctx, &mode, "PRAGMA temp_store"))
			require.Equal(t, c.after, mode, "%s after the session (commit %v)", url, commit)
			var n int
			err = drv.db.GetContext(ctx, &n, `SELECT count(*) FROM "t"`)
			if commit {
				require.NoError(t, err)
				require.Equal(t, 2, n, "the refused Write left nothing")
			} else {
				require.ErrorContains(t, err, "no such table")
			}
			require.NoError(t, drv.Close())
		}
	}
}

// TestSQLiteWriterDirectStatementsInTransaction: the writer runs its
// INSERTs on the driver's statements (directExec), inside the session's
// transaction: another connection sees none of an append's rows before
// Commit and all of them after; a refused Write leaves nothing; a Write
// with a cancelled context fails with its error, Abort rolls everything
// back, and the connection goes back to the pool usable.
func TestSQLiteWriterDirectStatementsInTransaction(t *testing.T) {
	ctx := context.Background()
	fields := []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "s", Type: frictionless.TypeString}}
	rows := func(from, n int) []frictionless.Row {
		r := make([]frictionless.Row, n)
		for i := range r {
			r[i] = frictionless.Row{int64(from + i), fmt.Sprint("row ", from+i)}
		}
		return r
	}
	for _, commit := range []bool{true, false} {
		drv, err := openDriver(ctx, "sqlite://"+filepath.Join(t.TempDir(), "t.db"), nil)
		require.NoError(t, err)
		_, err = drv.db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT NOT NULL)`)
		require.NoError(t, err)
		w, err := drv.OpenWriter(ctx, &driver.WriteRequest{Table: "t", Columns: fields, Mode: driver.Append})
		require.NoError(t, err)
		require.NotNil(t, w.(*sqliteWriter).in.direct)
		require.NoError(t, w.Write(ctx, rows(1, sqliteRowsPerStmt*2+7))) // three statements
		require.Error(t, w.Write(ctx, append(rows(1000, 3), frictionless.Row{int64(1001), nil})), "NOT NULL")
		count := func() (n int) {
			require.NoError(t, drv.db.GetContext(ctx, &n, "SELECT count(*) FROM t"))
			return n
		}
		require.Zero(t, count(), "nothing visible before Commit")
		if commit {
			require.NoError(t, w.Commit(ctx))
			require.Equal(t, sqliteRowsPerStmt*2+7, count())
		} else {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			require.ErrorIs(t, w.Write(cctx, rows(2000, 5)), context.Canceled)
			require.NoError(t, w.Abort())
			require.Zero(t, count())
		}
		require.NoError(t, drv.Close())
	}
}
