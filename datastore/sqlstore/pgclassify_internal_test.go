package sqlstore

import (
	"fmt"
	"testing"

	"github.com/datafactory/datafactory/datastore/driver"
	"github.com/datafactory/datafactory/internal/pgstage"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// TestClassifyStreamError: a row's error is data (the loader isolates and
// rejects the row), but the same error ending a COPY kept open across
// Writes is not: the rows of earlier Writes went with it, so the load
// fails instead of rejecting rows of the Write that saw it.
func TestClassifyStreamError(t *testing.T) {
	pe := &pgconn.PgError{Code: "23505", Detail: "Key (id)=(1) already exists."}
	require.Equal(t, driver.KindData, pgDialect{}.classify(pe).Kind)
	streamed := fmt.Errorf("write: %w", &pgstage.StreamError{Err: pe})
	require.Equal(t, driver.ErrorInfo{}, pgDialect{}.classify(streamed))
	require.ErrorAs(t, streamed, &pe, "the server's error stays reachable")
}
