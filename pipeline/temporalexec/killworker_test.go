package temporalexec_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// Environment of a worker process started by TestKilledWorker.
const (
	envWorkerQueue  = "TEMPORALEXEC_TEST_WORKER_QUEUE"
	envWorkerDir    = "TEMPORALEXEC_TEST_WORKER_DIR"
	envWorkerRows   = "TEMPORALEXEC_TEST_WORKER_ROWS"
	killedTable     = "temporalexec_killed_worker"
	loadingMarker   = "loading.pid"
	killedRunPrefix = "killed"
)

// TestMain turns the test binary into a worker process when
// TestKilledWorker starts it so.
func TestMain(m *testing.M) {
	if q := os.Getenv(envQueueWorker); q != "" {
		if err := runQueueWorkerProcess(q, os.Getenv(envWorkerDir)); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if q := os.Getenv(envWorkerQueue); q != "" {
		if err := runWorkerProcess(q, os.Getenv(envWorkerDir)); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// killedBackend opens the storage and status the processes share: a
// directory bucket and a SQLite status file.
func killedBackend(ctx context.Context, dir string) (*pipeline.Backend, func(), error) {
	b, err := storage.Open(ctx, "file://"+filepath.Join(dir, "bucket")+"?create_dir=1")
	if err != nil {
		return nil, nil, err
	}
	st, err := sqlstatus.Open(ctx, "sqlite://"+filepath.Join(dir, "status.db"), nil)
	if err != nil {
		return nil, nil, err
	}
	return pipeline.NewBackend(&pipeline.BackendOptions{Storage: b, Status: st}), func() { _ = st.Close() }, nil
}

// killedPipeline is download (write a CSV of rows), validate, load
// (replace the PostgreSQL table with the file, in one transaction, slowly
// enough to be killed) and report.
func killedPipeline(dir string, rows int) *pipeline.Pipeline {
	download := func(ctx context.Context, tc *pipeline.TaskContext) error {
		w, err := tc.Dir().NewWriter(ctx, "data.csv", nil)
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(w)
		fmt.Fprintln(bw, "id,name")
		for i := range rows {
			fmt.Fprintf(bw, "%d,row %d\n", i, i)
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return w.Close()
	}
	validate := func(ctx context.Context, tc *pipeline.TaskContext) error {
		n, err := readCSV(ctx, tc, func([]any) error { return nil })
		if err != nil {
			return err
		}
		if n != rows {
			return pipeline.Permanent(fmt.Errorf("file has %d rows, want %d", n, rows))
		}
		return nil
	}
	load := func(ctx context.Context, tc *pipeline.TaskContext) error {
		if err := os.WriteFile(filepath.Join(dir, loadingMarker), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
			return err
		}
		conn, err := pgx.Connect(ctx, os.Getenv("DATAFACTORY_TEST_POSTGRES_URL"))
		if err != nil {
			return err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
		if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+killedTable+"; CREATE TABLE "+killedTable+" (id bigint, name text)"); err != nil {
			return err
		}
		var batch [][]any
		flush := func() error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{killedTable}, []string{"id", "name"}, pgx.CopyFromRows(batch))
			batch = batch[:0]
			time.Sleep(20 * time.Millisecond) // leave time to be killed mid-load
			return err
		}
		n, err := readCSV(ctx, tc, func(rec []any) error {
			if batch = append(batch, rec); len(batch) == 10000 {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		tc.AddCounts(pipeline.Counts{RowsIn: int64(n), RowsOut: int64(n)})
		return tx.Commit(ctx)
	}
	report := func(ctx context.Context, tc *pipeline.TaskContext) error {
		conn, err := pgx.Connect(ctx, os.Getenv("DATAFACTORY_TEST_POSTGRES_URL"))
		if err != nil {
			return err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+killedTable).Scan(&n); err != nil {
			return err
		}
		return tc.SetOutput(ctx, "rows", n)
	}
	retry := &pipeline.ExponentialBackoff{MaxAttempts: 3, Initial: 100 * time.Millisecond}
	return must(pipeline.NewBuilder(killedRunPrefix).
		Add("download", pipeline.TaskFunc(download), nil).
		Add("validate", pipeline.TaskFunc(validate), &pipeline.TaskOptions{DependsOn: []string{"download"}}).
		Add("load", pipeline.TaskFunc(load), &pipeline.TaskOptions{DependsOn: []string{"validate"}, Retry: retry}).
		Add("report", pipeline.TaskFunc(report), &pipeline.TaskOptions{DependsOn: []string{"load"}}))
}

// readCSV calls row for each data row of download's file.
func readCSV(ctx context.Context, tc *pipeline.TaskContext, row func([]any) error) (int, error) {
	r, err := tc.TaskDir("download").NewReader(ctx, "data.csv")
	if err != nil {
		return 0, err
	}
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		id, name, ok := strings.Cut(sc.Text(), ",")
		if !ok {
			return n, fmt.Errorf("line %d: no comma", n+2)
		}
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return n, err
		}
		if err := row([]any{v, name}); err != nil {
			return n, err
		}
		n++
	}
	return n, sc.Err()
}

func runWorkerProcess(queue, dir string) error {
	ctx := context.Background()
	rows, _ := strconv.Atoi(os.Getenv(envWorkerRows))
	be, closeBE, err := killedBackend(ctx, dir)
	if err != nil {
		return err
	}
	defer closeBE()
	c, err := client.Dial(client.Options{HostPort: os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR"), Logger: quietLogger{}})
	if err != nil {
		return err
	}
	defer c.Close()
	p := killedPipeline(dir, rows)
	w := worker.New(c, queue, worker.Options{})
	temporalexec.Register(w, func(string) (*pipeline.Pipeline, error) { return p, nil }, &pipeline.RunOptions{Backend: be})
	return w.Run(worker.InterruptCh())
}

// TestKilledWorker: two worker processes; the one running the load is
// killed with SIGKILL mid-load; the attempt runs again on the other, the
// run succeeds, the table holds exactly the file's rows and status shows
// both attempts of load.
func TestKilledWorker(t *testing.T) {
	addr, pg := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR"), os.Getenv("DATAFACTORY_TEST_POSTGRES_URL")
	if addr == "" || pg == "" {
		t.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR or DATAFACTORY_TEST_POSTGRES_URL not set")
	}
	rows := 200_000
	if v, err := strconv.Atoi(os.Getenv("TEMPORALEXEC_TEST_KILLED_ROWS")); err == nil && v > 0 {
		rows = v
	}
	ctx := context.Background()
	dir := t.TempDir()
	queue := fmt.Sprintf("killed-%d", time.Now().UnixNano())
	be, closeBE, err := killedBackend(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeBE()
	p := killedPipeline(dir, rows)
	env := []string{envWorkerQueue + "=" + queue, envWorkerDir + "=" + dir, envWorkerRows + "=" + strconv.Itoa(rows)}
	// 2 s heartbeats falsely lost the surviving attempt on a loaded machine.
	sum := runKillingWorker(t, &killRun{addr: addr, be: be, p: p, queue: queue, env: env,
		heartbeat: 5 * time.Second, marker: filepath.Join(dir, loadingMarker), pause: 100 * time.Millisecond}) // mid-load
	load, _ := sum.Task("load")
	if load.State != pipeline.StateSuccess || load.Attempts != 2 {
		t.Errorf("load: %s after %d attempts, want SUCCESS after 2", load.State, load.Attempts)
	}
	var n int
	if err := sum.Output(ctx, "report", "rows", &n); err != nil || n != rows {
		t.Errorf("report rows = %d, %v; want %d", n, err, rows)
	}
	conn, err := pgx.Connect(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var count, distinct int
	if err := conn.QueryRow(ctx, "SELECT count(*), count(DISTINCT id) FROM "+killedTable).Scan(&count, &distinct); err != nil {
		t.Fatal(err)
	}
	if count != rows || distinct != rows {
		t.Errorf("table holds %d rows (%d distinct), want exactly %d", count, distinct, rows)
	}
	st, err := sqlstatus.Open(ctx, "sqlite://"+filepath.Join(dir, "status.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.Events(ctx, sum.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var lost, okAttempts int
	for _, ev := range evs {
		if ev.Operation != "load" {
			continue
		}
		switch {
		case strings.Contains(ev.Exception, pipeline.ErrAttemptLost.Error()):
			lost++
		case ev.Exception == "":
			okAttempts++
		}
	}
	if lost != 1 || okAttempts != 1 {
		t.Errorf("status events of load: %d lost and %d ok, want 1 and 1", lost, okAttempts)
	}
}

// killRun is a run on Temporal over two worker processes, one of which
// is killed with SIGKILL once it writes its pid to marker.
type killRun struct {
	addr      string            // Temporal's address
	be        *pipeline.Backend // the run's backend, shared with the workers
	p         *pipeline.Pipeline
	queue     string        // the task queue
	env       []string      // the worker processes' extra environment
	heartbeat time.Duration // the activities' heartbeat timeout
	marker    string        // the file the worker to kill writes its pid to
	pause     time.Duration // how long after the marker the kill comes
}

// runKillingWorker starts two worker processes (this test binary, told by
// r.env to serve r.queue), runs r.p on them, kills the worker that writes
// r.marker r.pause after it does, and returns the run's summary once it
// ends; the run must end without error within 3 minutes.
func runKillingWorker(t *testing.T, r *killRun) *pipeline.Summary {
	t.Helper()
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), r.env...)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	}
	c, err := client.Dial(client.Options{HostPort: r.addr, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	type result struct {
		sum *pipeline.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := pipeline.Run(context.Background(), r.p, nil, &pipeline.RunOptions{Backend: r.be,
			Executor: &temporalexec.Executor{Client: c, TaskQueue: r.queue, HeartbeatTimeout: r.heartbeat}})
		done <- result{sum, err}
	}()
	pid := waitForMarker(t, r.marker)
	time.Sleep(r.pause)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %d: %v", pid, err)
	}
	t.Logf("killed worker %d", pid)
	select {
	case res := <-done:
		if res.err != nil {
			t.Fatalf("run: %v", res.err)
		}
		return res.sum
	case <-time.After(3 * time.Minute):
		t.Fatal("run did not end")
	}
	return nil
}

func waitForMarker(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(string(b)); err == nil {
				return pid
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("load never started")
	return 0
}
