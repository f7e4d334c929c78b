package sqlstore

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// TestPgSetLocalSetsBack: the settings of a read as stored hold for the
// scan and go back to what they were, inside the transaction, after it;
// a value set by the session before is kept, not replaced by the default.
func TestPgSetLocalSetsBack(t *testing.T) {
	ctx := context.Background()
	pc, err := pgconn.Connect(ctx, testutil.PostgresBaseURL(t))
	require.NoError(t, err)
	defer pc.Close(ctx)
	current := func() [2]string {
		res := pc.ExecParams(ctx, "SELECT current_setting('max_parallel_workers_per_gather'), current_setting('synchronize_seqscans')",
			nil, nil, nil, nil).Read()
		require.NoError(t, res.Err)
		return [2]string{string(res.Rows[0][0]), string(res.Rows[0][1])}
	}
	_, err = pc.Exec(ctx, "SET max_parallel_workers_per_gather = 3; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").ReadAll()
	require.NoError(t, err)
	before := current()
	require.Equal(t, "3", before[0])
	was, err := pgSetLocal(ctx, pc, pgStoredSettings)
	require.NoError(t, err)
	require.Equal(t, [][2]string{{"max_parallel_workers_per_gather", before[0]}, {"synchronize_seqscans", before[1]}}, was)
	require.Equal(t, [2]string{"0", "off"}, current())
	_, err = pgSetLocal(ctx, pc, was)
	require.NoError(t, err)
	require.Equal(t, before, current())
	_, err = pc.Exec(ctx, "COMMIT").ReadAll()
	require.NoError(t, err)
	require.Equal(t, before, current())
}
