package sqlstatus

import (
	"context"
	"errors"
	"fmt"
	"testing"

	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

func TestRetryDeadlocks(t *testing.T) {
	t.Parallel()
	victim := fmt.Errorf("transition: %w", &mysqldrv.MySQLError{Number: 1213, Message: "Deadlock found"})
	require.True(t, deadlocked(victim))
	require.True(t, deadlocked(&pgconn.PgError{Code: "40P01"}))
	require.False(t, deadlocked(&mysqldrv.MySQLError{Number: 1062}), "a duplicate key is not retried")
	require.False(t, deadlocked(errors.New("deadlock")), "only the databases' codes count")

	calls := 0
	err := retryDeadlocks(context.Background(), func() error {
		calls++
		if calls < 3 {
			return victim
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 3, calls)

	calls = 0
	err = retryDeadlocks(context.Background(), func() error { calls++; return victim })
	require.ErrorIs(t, err, victim)
	require.Equal(t, maxDeadlockRetries+1, calls, "gives up")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls = 0
	err = retryDeadlocks(ctx, func() error { calls++; return victim })
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, calls)
}
