package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// withPgx runs f on the pgx connection under conn.
//
// A panic in f (a read's sink is a caller's code) is raised again once
// Raw has returned, after the pgx connection is closed (its protocol state
// is unknown; the pool drops a closed connection): database/sql deadlocks
// when a panic leaves Raw on a connection that holds a transaction (a
// snapshot's, a load's) instead of letting it through.
func withPgx(conn *sql.Conn, f func(*pgx.Conn) error) error {
	var panicked any
	err := conn.Raw(func(dc any) (err error) {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres connection is a %T, not pgx's", dc)
		}
		defer func() {
			if panicked = recover(); panicked != nil {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_ = sc.Conn().Close(ctx)
				err = errPanicked
			}
		}()
		return f(sc.Conn())
	})
	if panicked != nil {
		panic(panicked)
	}
	return err
}

// errPanicked ends a Raw call whose work panicked; the panic follows.
var errPanicked = errors.New("sqlstore: panicked on a pgx connection")

// rawSession runs pgx work on a database/sql connection.
func rawSession(conn *sqlx.Conn) pgstage.Session {
	return func(f func(*pgx.Conn) error) error { return withPgx(conn.Conn, f) }
}
