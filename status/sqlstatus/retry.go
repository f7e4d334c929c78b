package sqlstatus

import (
	"context"
	"errors"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxDeadlockRetries bounds the re-runs of one autocommit statement that
// the database chose as a deadlock victim.
const maxDeadlockRetries = 5

// deadlocked reports whether the database rolled the statement back to break
// a deadlock or a lock wait: InnoDB's 1213 and 1205, PostgreSQL's 40P01 and
// 40001. A status update and a heartbeat on the same job row can deadlock
// on InnoDB (they lock the row's secondary index entries in different
// orders); the statement did nothing and may run again.
func deadlocked(err error) bool {
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return false
}

// retryDeadlocks runs fn, again after a short pause while it fails as a
// deadlock victim. Only for work outside a caller's transaction: inside
// one, the deadlock has rolled back the caller's whole transaction.
func retryDeadlocks(ctx context.Context, fn func() error) error {
	err := fn()
	for i := 1; i <= maxDeadlockRetries && deadlocked(err); i++ {
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(i) * 5 * time.Millisecond):
		}
		err = fn()
	}
	return err
}
