package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// insertFixture is an inserter of two statements' worth of rows or more
// (perStmt 2) into a fresh SQLite table t (id primary key, s).
func insertFixture(t *testing.T) (*sql.DB, *sql.Tx, *inserter) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/t.db")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT)")
	require.NoError(t, err)
	tx, err := db.Begin()
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })
	fields := []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "s", Type: frictionless.TypeString}}
	return db, tx, newInserter(tx, sqliteDialect{}, `"t"`, fields, "", 2, 1000, false)
}

func insertRows(n int) []frictionless.Row {
	rows := make([]frictionless.Row, n)
	for i := range rows {
		rows[i] = frictionless.Row{int64(i), fmt.Sprint("row ", i)}
	}
	return rows
}

// storedIDs are the ids in t, in order.
func storedIDs(t *testing.T, tx *sql.Tx) []int64 {
	t.Helper()
	rs, err := tx.Query("SELECT id FROM t ORDER BY id")
	require.NoError(t, err)
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		require.NoError(t, rs.Scan(&id))
		ids = append(ids, id)
	}
	return ids
}

func TestInsertEncodesAheadAndKeepsEveryRow(t *testing.T) {
	for _, maxBytes := range []int{0, 10} { // 10: every statement cut to one row by size
		_, tx, in := insertFixture(t)
		in.maxBytes = maxBytes
		rows := insertRows(9)
		require.NoError(t, in.insert(context.Background(), rows[:1]))
		require.NoError(t, in.insert(context.Background(), rows[1:3])) // one statement's rows
		require.NoError(t, in.insert(context.Background(), rows[3:]))
		require.Equal(t, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8}, storedIDs(t, tx), "maxBytes %d", maxBytes)
		var s string
		require.NoError(t, tx.QueryRow("SELECT s FROM t WHERE id = 7").Scan(&s))
		require.Equal(t, "row 7", s)
	}
}

func TestInsertStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	t.Run("encoding", func(t *testing.T) {
		_, tx, in := insertFixture(t)
		in.check = func(_ *frictionless.Field, v any) error {
			if v == int64(5) {
				return boom
			}
			return nil
		}
		require.ErrorIs(t, in.insert(context.Background(), insertRows(9)), boom)
		require.Equal(t, []int64{0, 1, 2, 3}, storedIDs(t, tx), "the statements before the failing one ran, none after")
	})
	t.Run("statement", func(t *testing.T) {
		_, tx, in := insertFixture(t)
		rows := insertRows(9)
		rows[3][0] = int64(2) // a repeated key fails the second statement
		err := in.insert(context.Background(), rows)
		require.ErrorContains(t, err, "UNIQUE constraint failed")
		require.Equal(t, []int64{0, 1}, storedIDs(t, tx))
	})
	t.Run("cancelled", func(t *testing.T) {
		_, _, in := insertFixture(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, in.insert(ctx, insertRows(9)), context.Canceled)
	})
	require.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "encodeAll")
	}, 5*time.Second, 10*time.Millisecond, "the encoding goroutine ends with insert")
}
