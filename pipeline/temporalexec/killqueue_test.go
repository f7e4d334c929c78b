package temporalexec_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/temporalexec"
)

// envQueueWorker makes the test binary a worker of killQueuePipeline.
const envQueueWorker = "TEMPORALEXEC_TEST_QUEUE_WORKER"

// claimedMarker holds the pid of the first consumer attempt that claimed.
const claimedMarker = "claimed.pid"

// killQueuePipeline: a producer of queueItems items, two slow consumers
// (the first claimer writes its pid to dir/claimed.pid) and collect.
func killQueuePipeline(dir string) *pipeline.Pipeline {
	slow := func(ctx context.Context, tc *pipeline.TaskContext) error {
		var got []string
		for {
			item, err := tc.Queue("items").Claim(ctx)
			if errors.Is(err, pipeline.ErrQueueClosed) {
				return tc.SetOutput(ctx, "items", got)
			}
			if err != nil {
				return err
			}
			got = append(got, item)
			if f, err := os.OpenFile(filepath.Join(dir, claimedMarker), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
				_, _ = f.WriteString(strconv.Itoa(os.Getpid()))
				_ = f.Close()
			}
			time.Sleep(100 * time.Millisecond) // leave time to be killed holding claims
		}
	}
	retry := &pipeline.ExponentialBackoff{MaxAttempts: 5, Initial: 10 * time.Millisecond}
	return queuePipeline("killed_queue", produce(false, nil), slow, retry, 2)
}

func runQueueWorkerProcess(queue, dir string) error {
	ctx := context.Background()
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
	p := killQueuePipeline(dir)
	w := worker.New(c, queue, worker.Options{})
	temporalexec.Register(w, func(string) (*pipeline.Pipeline, error) { return p, nil }, &pipeline.RunOptions{Backend: be})
	return w.Run(worker.InterruptCh())
}

// TestKilledConsumer: two worker processes run a fan-out; the worker of
// a consumer holding claims is killed with SIGKILL; its claims go back to
// the queue and every item is still processed exactly once.
func TestKilledConsumer(t *testing.T) {
	addr := os.Getenv("DATAFACTORY_TEST_TEMPORAL_ADDR")
	if addr == "" {
		t.Skip("DATAFACTORY_TEST_TEMPORAL_ADDR not set")
	}
	ctx := context.Background()
	dir := t.TempDir()
	queue := fmt.Sprintf("tfanout-killed-queue-%d", time.Now().UnixNano())
	be, closeBE, err := killedBackend(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeBE()
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envQueueWorker+"="+queue, envWorkerDir+"="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	}
	c, err := client.Dial(client.Options{HostPort: addr, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := killQueuePipeline(dir)
	type result struct {
		sum *pipeline.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := pipeline.Run(ctx, p, nil, &pipeline.RunOptions{Backend: be,
			Executor: &temporalexec.Executor{Client: c, TaskQueue: queue, HeartbeatTimeout: 4 * time.Second}})
		done <- result{sum, err}
	}()
	pid := waitForMarker(t, filepath.Join(dir, claimedMarker))
	time.Sleep(300 * time.Millisecond) // a few claims held
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %d: %v", pid, err)
	}
	var res result
	select {
	case res = <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("run did not end")
	}
	if res.err != nil {
		t.Fatalf("run: %v", res.err)
	}
	ts, _ := res.sum.Task("consume")
	if ts.State != pipeline.StateSuccess || ts.Attempts < 2 {
		t.Errorf("consume: %s after %d attempts, want SUCCESS after a lost attempt", ts.State, ts.Attempts)
	}
	wantEachItemOnce(t, res.sum)
}
