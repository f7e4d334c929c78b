package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// peakRSSLimit is the bound on a load's peak resident memory.
const peakRSSLimit = 100 << 20

// TestPeakRSSParallelLoad loads 1 GB of employees CSV (generated as it is
// read) into a new PostgreSQL table in a child process, with parallel
// validation (the child runs with GOMAXPROCS=4: datastore validates on
// half the processors) and parallel COPY streams, and checks the child's peak RSS
// (rusage maxrss) stays under 100 MB. It takes minutes, so it runs only
// when DATAFACTORY_TEST_PEAK_RSS is set (to the size in bytes, or 1 for
// 1 GB) besides the PostgreSQL URL.
func TestPeakRSSParallelLoad(t *testing.T) {
	size := os.Getenv("DATAFACTORY_TEST_PEAK_RSS")
	if size == "" {
		t.Skip("DATAFACTORY_TEST_PEAK_RSS is not set")
	}
	n, err := strconv.ParseInt(size, 10, 64)
	require.NoError(t, err)
	if n <= 1 {
		n = 1 << 30
	}
	u := backends[1].url(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestPeakRSSChild$", "-test.v")
	cmd.Env = append(os.Environ(), "DATAFACTORY_RSS_CHILD_URL="+u, "DATAFACTORY_RSS_CHILD_BYTES="+strconv.FormatInt(n, 10), "GOMAXPROCS=4")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "loaded ")
	maxrss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	t.Logf("%s; peak RSS %.1f MB", strings.TrimSpace(lastLine(string(out), "loaded ")), float64(maxrss)/(1<<20))
	require.Less(t, maxrss, int64(peakRSSLimit))
}

// lastLine is the last line of text starting with prefix.
func lastLine(text, prefix string) string {
	out := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = l
		}
	}
	return out
}

// TestPeakRSSChild is the process TestPeakRSSParallelLoad measures.
func TestPeakRSSChild(t *testing.T) {
	u := os.Getenv("DATAFACTORY_RSS_CHILD_URL")
	if u == "" {
		t.Skip("only run as TestPeakRSSParallelLoad's child process")
	}
	n, err := strconv.ParseInt(os.Getenv("DATAFACTORY_RSS_CHILD_BYTES"), 10, 64)
	require.NoError(t, err)
	s, err := sqlstore.Open(context.Background(), u, nil)
	require.NoError(t, err)
	defer s.Close()
	schema := employeesSchema()
	schema.PrimaryKey = nil
	r, err := frictionless.NewReader(&employeesGen{limit: n}, schema, &frictionless.ReadOptions{Dialect: noHeader(), SkipUniqueCheck: true})
	require.NoError(t, err)
	start := time.Now()
	rep, err := datastore.Load(context.Background(), s, "emp_rss", r, nil)
	require.NoError(t, err)
	require.Equal(t, rep.Read, rep.Written)
	fmt.Printf("loaded %d rows, %d bytes in %s\n", rep.Written, rep.Bytes, time.Since(start).Round(time.Millisecond))
}

// employeesGen generates headerless employees CSV up to limit bytes
// (whole rows).
type employeesGen struct {
	limit, n int64
	i        int
	pending  []byte
}

func (g *employeesGen) Read(p []byte) (int, error) {
	for len(g.pending) < len(p) && g.n < g.limit {
		g.i++
		ts := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.i) * time.Second)
		row := fmt.Appendf(nil, "%d,Employee %d,%s,%d,%d\n", g.i, g.i, ts.Format(time.RFC3339), 1+g.i%12, 1+g.i%183)
		g.pending = append(g.pending, row...)
		g.n += int64(len(row))
	}
	if len(g.pending) == 0 {
		return 0, io.EOF
	}
	k := copy(p, g.pending)
	g.pending = g.pending[:copy(g.pending, g.pending[k:])]
	return k, nil
}
