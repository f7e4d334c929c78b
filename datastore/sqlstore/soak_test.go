//go:build soak

package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestSoakPostgresRSS loads a generated CSV of about 1 GB
// (DATAFACTORY_SOAK_BYTES) into PostgreSQL and checks that the process's
// peak RSS stays under 100 MB: the load streams. Run it with
//
//	go test -tags soak -run TestSoakPostgresRSS -timeout 30m ./datastore/sqlstore/
func TestSoakPostgresRSS(t *testing.T) {
	target := int64(1 << 30)
	if s := os.Getenv("DATAFACTORY_SOAK_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
		target = n
	}
	s := open(t, backend{"postgres", testutil.PostgresURL})
	path := filepath.Join(t.TempDir(), "big.csv")
	// About 48 bytes a row.
	size := writeEmployees(t, path, int(target/48), 1)
	t.Logf("generated %d bytes", size)

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := frictionless.NewReader(f, employeesSchema(), &frictionless.ReadOptions{Dialect: noHeader(), SkipUniqueCheck: true})
	require.NoError(t, err)
	start := time.Now()
	rep, err := datastore.Load(context.Background(), s, "big", r, &datastore.LoadOptions{Mode: datastore.ModeReplace, MaxRejects: -1})
	require.NoError(t, err)
	require.Equal(t, rep.Read, rep.Written)

	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	peak := ru.Maxrss * 1024 // Linux reports KiB
	t.Logf("loaded %d rows, %d bytes in %s (%.0f rows/s); peak RSS %.1f MB",
		rep.Written, rep.Bytes, time.Since(start).Round(time.Millisecond), rep.RowsPerSecond, float64(peak)/1e6)
	require.Less(t, peak, int64(100e6), "peak RSS")
}
