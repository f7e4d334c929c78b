package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
)

func TestRunExecutorRefusesBadURL(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"http://127.0.0.1:7233", "temporal://", "temporal://h:1?queue=x"} {
		r := runCLI(t, operatorEnv(t, map[string]string{}), "run", "testdata/noop.yaml", "--executor", raw)
		require.Equal(t, cli.ExitError, r.code, raw)
		require.Contains(t, r.stderr, "executor", raw)
	}
}

// TestRunOnWorker: "datafactory worker" serves a task queue of the dev
// server and "datafactory run --executor temporal://…" runs a spec on it;
// status shows the run as an in-process one.
func TestRunOnWorker(t *testing.T) {
	addr := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR")
	if addr == "" {
		t.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR not set")
	}
	dir := t.TempDir()
	st := "sqlite://" + filepath.Join(dir, "status.db")
	bucket := "file://" + filepath.Join(dir, "bucket") + "?create_dir=1"
	target := fmt.Sprintf("temporal://%s?task_queue=cli-%d", addr, time.Now().UnixNano())
	env := operatorEnv(t, map[string]string{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var wout, werr bytes.Buffer
	go func() {
		m := &cli.Main{Stdout: &wout, Stderr: &werr, Getenv: func(k string) string { return env[k] }}
		done <- m.Run(ctx, []string{"worker", "--temporal", target, "--status", st, "--bucket", bucket, "testdata/noop.yaml"})
	}()
	r := runCLI(t, env, "run", "testdata/noop.yaml", "--executor", target, "--status", st, "--bucket", bucket, "--run-id", "on-worker")
	require.Equal(t, cli.ExitOK, r.code, "stdout %s\nstderr %s", r.stdout, r.stderr)
	require.True(t, strings.Contains(r.stdout, "SUCCESS"), r.stdout)
	cancel()
	select {
	case code := <-done:
		require.Equal(t, cli.ExitOK, code, werr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not stop")
	}
	r = runCLI(t, env, "status", "on-worker", "--status", st)
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "FINISHED")
	require.Contains(t, wout.String(), "worker on "+addr)
}
