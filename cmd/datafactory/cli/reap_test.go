package cli_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/stretchr/testify/require"
)

// childEnv makes the test binary run the CLI instead of the tests (see
// TestMain), so a test can start and SIGKILL a real `datafactory` process.
const childEnv = "DATAFACTORY_TEST_CLI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestServeReapsKilledRun: a `datafactory run` child process writing to
// serve's status database is killed with SIGKILL mid-run; serve's reaper
// fails its job, with a reason, within twice the heartbeat timeout.
func TestServeReapsKilledRun(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	s := startServe(t, "--heartbeat-timeout", timeout.String(), "--reap-interval", "100ms")

	child := exec.Command(os.Args[0], "run", "testdata/dags/stuck.yaml", "--status", s.statusDB, "--run-id", "killed-1")
	child.Env = append(os.Environ(), childEnv+"=1", cli.EnvHeartbeatTimeout+"="+timeout.String())
	out := &syncBuffer{}
	child.Stdout, child.Stderr = out, out
	require.NoError(t, child.Start())
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })

	ctx := context.Background()
	st, err := sqlstatus.Open(ctx, s.statusDB, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.Eventually(t, func() bool {
		j, err := st.Job(ctx, "killed-1")
		return err == nil && j.Status == status.JobRunning
	}, 30*time.Second, 20*time.Millisecond, "the child's run never went RUNNING: %s", out)

	require.NoError(t, child.Process.Kill()) // SIGKILL: no deferred code runs
	killed := time.Now()
	_ = child.Wait()
	var j status.Job
	require.Eventually(t, func() bool {
		j, err = st.Job(ctx, "killed-1")
		return err == nil && j.Status != status.JobRunning
	}, 4*timeout, 20*time.Millisecond, "the job stayed RUNNING")
	took := time.Since(killed)
	require.Equal(t, status.JobFailed, j.Status)
	require.LessOrEqual(t, took, 2*timeout, "failed %s after the kill", took)
	require.NotEmpty(t, j.Info[status.InfoError], "the job says why it failed")
	t.Logf("job FAILED %s after SIGKILL (heartbeat timeout %s): %v", took.Round(time.Millisecond), timeout, j.Info[status.InfoError])
}
