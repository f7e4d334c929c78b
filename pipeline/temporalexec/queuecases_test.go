package temporalexec_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// The queue cases of TestSemantics' table: fan-out across processes,
// exactly once.
func init() { semCases = append(semCases, queueCases...) }

const queueItems = 30

// produce puts queueItems items in batches of 5; its first attempt fails
// halfway when failFirst (the retry puts them all again: no duplicates).
func produce(failFirst bool, then error) pipeline.TaskFunc {
	return func(ctx context.Context, tc *pipeline.TaskContext) error {
		q := tc.Queue("items")
		for i := 0; i < queueItems; i += 5 {
			var batch []string
			for k := i; k < i+5; k++ {
				batch = append(batch, fmt.Sprintf("item%02d", k))
			}
			if err := q.Put(ctx, batch...); err != nil {
				return err
			}
			if failFirst && tc.Attempt() == 1 && i >= queueItems/2 {
				return errors.New("producer died halfway")
			}
		}
		return then
	}
}

// consume claims until the queue is closed and outputs what it claimed.
// The first attempt of instance 0 fails after claiming failAfter items
// (or at the end of the queue) when failAfter > 0.
func consume(failAfter int) pipeline.TaskFunc {
	return func(ctx context.Context, tc *pipeline.TaskContext) error {
		failing := failAfter > 0 && tc.Instance() == 0 && tc.Attempt() == 1
		var got []string
		for {
			item, err := tc.Queue("items").Claim(ctx)
			if errors.Is(err, pipeline.ErrQueueClosed) {
				if failing {
					return errors.New("consumer died at the end")
				}
				return tc.SetOutput(ctx, "items", got)
			}
			if err != nil {
				return err
			}
			got = append(got, item)
			if failing && len(got) == failAfter {
				return errors.New("consumer died mid-way")
			}
		}
	}
}

// collect outputs every item the consumers' successful attempts claimed.
func collect(instances int) pipeline.TaskFunc {
	return func(ctx context.Context, tc *pipeline.TaskContext) error {
		var all []string
		for i := range instances {
			var got []string
			if err := tc.InstanceOutput(ctx, "consume", i, "items", &got); err != nil {
				return err
			}
			all = append(all, got...)
		}
		slices.Sort(all)
		return tc.SetOutput(ctx, "items", all)
	}
}

func wantEachItemOnce(t *testing.T, sum *pipeline.Summary) {
	t.Helper()
	var all, want []string
	if err := sum.Output(context.Background(), "collect", "items", &all); err != nil {
		t.Fatalf("collect output: %v", err)
	}
	for k := range queueItems {
		want = append(want, fmt.Sprintf("item%02d", k))
	}
	if !slices.Equal(all, want) {
		t.Errorf("items processed: %v, want each of %d items once", all, queueItems)
	}
}

func queuePipeline(name string, producer, consumer pipeline.TaskFunc, retry pipeline.RetryPolicy, instances int) *pipeline.Pipeline {
	return must(pipeline.NewBuilder(name).
		Add("produce", producer, &pipeline.TaskOptions{Feeds: []string{"items"}, Retry: retry}).
		Add("consume", consumer, &pipeline.TaskOptions{Consumes: []string{"items"}, Instances: instances, Retry: retry}).
		Add("collect", collect(instances), &pipeline.TaskOptions{DependsOn: []string{"produce", "consume"}}))
}

var retryOnce = &pipeline.ExponentialBackoff{MaxAttempts: 2, Initial: 10 * time.Millisecond}

var queueCases = []semCase{
	{
		name: "queue_fanout",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return queuePipeline(name, produce(false, nil), consume(0), nil, 3)
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			wantTask(t, sum, "consume", pipeline.StateSuccess, 1)
			wantEachItemOnce(t, sum)
		},
	},
	{
		name: "queue_producer_fails",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return queuePipeline(name, produce(false, errors.New("HAWK authentication failed")), consume(0), nil, 2)
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if !errors.Is(err, pipeline.ErrRunFailed) {
				t.Fatalf("run error %v, want ErrRunFailed", err)
			}
			wantTask(t, sum, "produce", pipeline.StateFailed, 1)
			ts := wantTask(t, sum, "consume", pipeline.StateFailed, 1)
			if ts.Err == nil || !strings.Contains(ts.Err.Error(), "queue items: producer failed: task produce ended FAILED") {
				t.Errorf("consumer error %v, want the producer's failure", ts.Err)
			}
			wantTask(t, sum, "collect", pipeline.StateSkipped, 0)
		},
	},
	{
		name: "queue_retries_exactly_once",
		build: func(name string, _ func()) *pipeline.Pipeline {
			return queuePipeline(name, produce(true, nil), consume(3), retryOnce, 2)
		},
		check: func(t *testing.T, sum *pipeline.Summary, err error) {
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			wantTask(t, sum, "produce", pipeline.StateSuccess, 2)
			ts := wantTask(t, sum, "consume", pipeline.StateSuccess, 2)
			if len(ts.Instances) != 2 || ts.Instances[0].Attempts != 2 || ts.Instances[1].Attempts != 1 {
				t.Errorf("consumer instances %+v, want 2 attempts of instance 0 and 1 of instance 1", ts.Instances)
			}
			wantEachItemOnce(t, sum)
		},
	},
}
