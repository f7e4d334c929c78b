package cli_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
)

// temporalAddr is the dev server's address; the test skips without it.
func temporalAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR")
	if addr == "" {
		t.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR not set")
	}
	return addr
}

func uniqueID(t *testing.T) string {
	t.Helper()
	var b [4]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return hex.EncodeToString(b[:])
}

// startWorker runs "datafactory worker" in this process until the test ends.
func startWorker(t *testing.T, target, statusURL, bucket string, specs ...string) {
	t.Helper()
	env := operatorEnv(t, map[string]string{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb syncBuffer
	go func() {
		m := &cli.Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
		done <- m.Run(ctx, append([]string{"worker", "--temporal", target, "--status", statusURL, "--bucket", bucket}, specs...))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			require.Equal(t, cli.ExitOK, code, errb.String())
		case <-time.After(30 * time.Second):
			t.Error("worker did not stop")
		}
	})
}

// TestServeExecutorChoice: the runs API picks only among the executors
// serve was given (by default "inprocess"); an address or another name is
// refused with 400.
func TestServeExecutorChoice(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	for _, body := range []string{`{"executor": "temporal://127.0.0.1:7233?task_queue=evil"}`, `{"executor": "temporal"}`,
		`{"executor": ""}`, `{"executor": ["inprocess"]}`} {
		var out map[string]any
		require.Equal(t, http.StatusBadRequest, s.call(t, "POST", "/v1/pipelines/slow/runs", bearer, "application/json", []byte(body), &out), body)
		require.NotContains(t, fmt.Sprint(out), "evil", body)
	}
	require.Equal(t, http.StatusCreated, s.call(t, "POST", "/v1/pipelines/slow/runs", bearer, "application/json",
		[]byte(`{"run_id": "named-inprocess", "executor": "inprocess"}`), nil))
	require.Equal(t, "success", s.pollRun(t, "slow", "named-inprocess")["state"])
}

// TestServeOnTemporal: serve --executor temporal://… runs the runs
// triggered over the runs API on a worker; they show in the runs API and
// in status as any other run. The runs API may also ask for the other
// executor serve was given, "inprocess".
func TestServeOnTemporal(t *testing.T) {
	addr := temporalAddr(t)
	t.Parallel()
	dir := t.TempDir()
	id := uniqueID(t)
	bucket := "file://" + filepath.Join(dir, "bucket") + "?create_dir=1"
	target := fmt.Sprintf("temporal://%s?task_queue=tsched-serve-%s", addr, id)
	s := startServe(t, "--executor", target, "--executor", "inprocess", "--bucket", bucket)
	startWorker(t, target, s.statusDB, bucket, "testdata/dags/slow.yaml")

	onWorker, local := "tsched-on-worker-"+id, "tsched-local-"+id
	require.Equal(t, http.StatusOK, s.call(t, "POST", "/api/v1/dags/slow/dagRuns", basic, "application/json",
		[]byte(`{"dag_run_id": "`+onWorker+`", "conf": {}}`), nil))
	require.Equal(t, http.StatusCreated, s.call(t, "POST", "/v1/pipelines/slow/runs", bearer, "application/json",
		[]byte(`{"run_id": "`+local+`", "executor": "inprocess"}`), nil))
	for _, run := range []string{onWorker, local} {
		require.Equal(t, "success", s.pollRun(t, "slow", run)["state"], run)
		var tis struct {
			TaskInstances []struct {
				TaskID string `json:"task_id"`
				State  string `json:"state"`
			} `json:"task_instances"`
		}
		require.Equal(t, http.StatusOK, s.call(t, "GET", "/api/v1/dags/slow/dagRuns/"+run+"/taskInstances", basic, "", nil, &tis))
		require.Len(t, tis.TaskInstances, 2)
		for _, ti := range tis.TaskInstances {
			require.Equal(t, "success", ti.State, ti.TaskID)
		}
		var job status.Job
		require.Equal(t, http.StatusOK, s.call(t, "GET", "/jobs/"+run, bearer, "", nil, &job))
		require.Equal(t, status.JobDone, job.Status)
	}
	c, err := client.Dial(client.Options{HostPort: addr})
	require.NoError(t, err)
	defer c.Close()
	desc, err := c.DescribeWorkflow(context.Background(), onWorker, "")
	require.NoError(t, err, "the run is a Temporal workflow")
	require.Equal(t, temporalexec.WorkflowName, desc.WorkflowType.Name)
	_, err = c.DescribeWorkflow(context.Background(), local, "")
	var nf *serviceerror.NotFound
	require.ErrorAs(t, err, &nf, "the run asked in-process is no workflow")
}

// buildCLI builds the datafactory command into dir.
func buildCLI(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "datafactory")
	cmd := exec.Command("go", "build", "-o", bin, "..")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// startServeProcess starts "datafactory serve" as a process and waits
// until it listens; it is stopped with SIGTERM when the test ends.
func startServeProcess(t *testing.T, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--no-auth"}, args...)...)
	var errb syncBuffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case <-waited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("serve did not stop on SIGTERM")
		}
	})
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "serve exited: %s", errb.String())
			if strings.HasPrefix(l, "datafactory serving on") {
				go func() {
					for range lines { // drain
					}
				}()
				return
			}
		case <-deadline:
			t.Fatalf("serve did not start: %s", errb.String())
		}
	}
}

// TestServeReplicasScheduleOnce is the acceptance test of cron triggers
// on Temporal: two serve processes with the same cron schedule (every 2s)
// and one worker; over 5 intervals exactly 5 runs are in the shared
// status store, each run once.
func TestServeReplicasScheduleOnce(t *testing.T) {
	addr := temporalAddr(t)
	t.Parallel()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	id := uniqueID(t)
	name, queue := "tsched_"+id, "tsched-"+id
	specs := filepath.Join(dir, "pipelines")
	require.NoError(t, os.MkdirAll(specs, 0o755))
	// concurrency 10: overlap ALLOW_ALL, so a slow run never makes
	// Temporal skip an interval on a loaded machine
	spec := fmt.Sprintf("name: %s\nstate: ACTIVE\nconcurrency: 10\ntasks:\n  - name: tick\n    type: noop\n", name)
	specFile := filepath.Join(specs, name+".yaml")
	require.NoError(t, os.WriteFile(specFile, []byte(spec), 0o644))
	statusURL := "sqlite://" + filepath.Join(dir, "status.db")
	bucket := "file://" + filepath.Join(dir, "bucket") + "?create_dir=1"
	target := fmt.Sprintf("temporal://%s?task_queue=%s", addr, queue)

	c, err := client.Dial(client.Options{HostPort: addr})
	require.NoError(t, err)
	defer c.Close()
	sched := c.ScheduleClient().GetHandle(context.Background(), (&temporalexec.Schedules{TaskQueue: queue}).ScheduleID("cron-"+name, name))
	t.Cleanup(func() { _ = sched.Delete(context.Background()) }) // never left firing on the shared server

	startWorker(t, target, statusURL, bucket, specFile)
	for i := range 2 {
		startServeProcess(t, bin, "--db", "sqlite://"+filepath.Join(dir, fmt.Sprintf("data%d.db", i)), "--status", statusURL,
			"--bucket", bucket, "--pipelines", specs, "--schedule", name+"=@every 2s", "--executor", target)
	}
	desc, err := sched.Describe(context.Background())
	require.NoError(t, err, "the replicas put the schedule")
	require.False(t, desc.Schedule.State.Paused)

	const every = 2 * time.Second
	first := time.Now().Truncate(every).Add(2 * every) // the first action time of the window
	last := first.Add(4 * every)
	time.Sleep(time.Until(last.Add(every / 2)))
	require.NoError(t, sched.Delete(context.Background()))

	st, err := sqlstatus.Open(context.Background(), statusURL, nil)
	require.NoError(t, err)
	defer st.Close()
	for k := range 5 {
		logical := first.Add(time.Duration(k-1) * every) // a run's logical date is its interval's start
		run := temporalexec.ScheduledRunID(name, logical)
		require.Eventually(t, func() bool {
			j, err := st.Job(context.Background(), run)
			return err == nil && j.Status == status.JobDone
		}, 90*time.Second, 100*time.Millisecond, "run %s", run)
		events, err := st.Events(context.Background(), run)
		require.NoError(t, err)
		var ticks, finished int
		for _, ev := range events {
			if ev.Operation == "tick" {
				ticks++
			}
			if ev.TraceStatus == status.TraceFinished {
				finished++
			}
		}
		require.Equal(t, 1, ticks, "run %s ran its task once", run)
		require.Equal(t, 1, finished, "run %s finished once", run)
	}
	// no other run in the window: the runs before first and after last
	// are outside it, and nothing runs twice under another id
	jobs := runsOf(t, st, name)
	var inWindow []string
	for _, j := range jobs {
		at, err := time.Parse("20060102T150405Z", strings.TrimPrefix(j, name+"-scheduled-"))
		require.NoError(t, err, j)
		if !at.Before(first.Add(-every)) && !at.After(last.Add(-every)) {
			inWindow = append(inWindow, j)
		}
	}
	require.Len(t, inWindow, 5, "runs: %v", jobs)
}

// runsOf lists the run ids of a pipeline's jobs in the status store.
func runsOf(t *testing.T, st *status.Store, name string) []string {
	t.Helper()
	jobs, err := st.ListJobs(context.Background(), &status.JobQuery{Limit: status.MaxJobLimit})
	require.NoError(t, err)
	var out []string
	for _, j := range jobs {
		if strings.HasPrefix(j.ID, name+"-") {
			out = append(out, j.ID)
		}
	}
	return out
}
