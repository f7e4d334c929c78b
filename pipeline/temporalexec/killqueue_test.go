package temporalexec_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
	sum := runKillingWorker(t, &killRun{addr: addr, be: be, p: killQueuePipeline(dir), queue: queue,
		env: []string{envQueueWorker + "=" + queue, envWorkerDir + "=" + dir}, heartbeat: 4 * time.Second,
		marker: filepath.Join(dir, claimedMarker), pause: 300 * time.Millisecond}) // a few claims held
	ts, _ := sum.Task("consume")
	if ts.State != pipeline.StateSuccess || ts.Attempts < 2 {
		t.Errorf("consume: %s after %d attempts, want SUCCESS after a lost attempt", ts.State, ts.Attempts)
	}
	wantEachItemOnce(t, sum)
}
