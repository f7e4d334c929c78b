package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
)

// FuzzRandomDAG builds a random DAG of up to 50 tasks from the seed, makes
// random tasks fail (some after retries, some permanently, some all-done
// cleanups), runs it and checks the invariants: every task ends terminal,
// a task ran iff its trigger rule allowed it, and all-success tasks
// downstream of a failure are SKIPPED.
func FuzzRandomDAG(f *testing.F) {
	for _, s := range []uint64{0, 1, 2, 3, 42, 1234, 99999} {
		f.Add(s, uint8(s%50)+1)
	}
	f.Fuzz(func(t *testing.T, seed uint64, size uint8) {
		n := int(size)%50 + 1
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		type plan struct {
			fail    bool
			flaky   bool // fails once, then succeeds with its retry
			allDone bool
			deps    []int
		}
		plans := make([]plan, n)
		b := pipeline.NewBuilder("fuzz")
		for i := range n {
			pl := &plans[i]
			pl.fail = rng.IntN(6) == 0
			pl.flaky = !pl.fail && rng.IntN(6) == 0
			pl.allDone = rng.IntN(8) == 0
			var names []string
			for j := range i {
				if rng.IntN(max(i/3, 1)+1) == 0 {
					pl.deps = append(pl.deps, j)
					names = append(names, fmt.Sprintf("t%d", j))
				}
			}
			calls := 0
			task := pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
				calls++
				switch {
				case pl.fail && rng2(seed, i) == 0:
					return pipeline.Permanent(errors.New("permanent"))
				case pl.fail:
					return errors.New("failure")
				case pl.flaky && calls == 1:
					return errors.New("flaky")
				}
				return nil
			})
			rule := pipeline.AllSuccess
			if pl.allDone {
				rule = pipeline.AllDone
			}
			b.Add(fmt.Sprintf("t%d", i), task, &pipeline.TaskOptions{DependsOn: names, TriggerRule: rule,
				Retry: &pipeline.ExponentialBackoff{MaxAttempts: 2}})
		}
		p, err := b.Build()
		require.NoError(t, err)
		clock := pipelinetest.NewFakeClock(t0)
		sum, err := pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{Clock: clock, Concurrency: 1 + int(seed%7)})
		require.Len(t, sum.Tasks, n)
		states := map[string]pipeline.State{}
		for _, ts := range sum.Tasks {
			require.True(t, ts.State.Terminal(), "%s ended %s", ts.Name, ts.State)
			states[ts.Name] = ts.State
		}
		anyFailed := false
		for i, pl := range plans {
			upOK := true
			for _, d := range pl.deps {
				if states[fmt.Sprintf("t%d", d)] != pipeline.StateSuccess {
					upOK = false
				}
			}
			got := states[fmt.Sprintf("t%d", i)]
			switch {
			case !upOK && !pl.allDone:
				require.Equal(t, pipeline.StateSkipped, got, "t%d is downstream of a failure", i)
			case pl.fail:
				require.Equal(t, pipeline.StateFailed, got, "t%d", i)
				anyFailed = true
			default:
				require.Equal(t, pipeline.StateSuccess, got, "t%d", i)
			}
		}
		if anyFailed {
			require.ErrorIs(t, err, pipeline.ErrRunFailed)
			require.Equal(t, pipeline.StateFailed, sum.State)
		} else {
			require.NoError(t, err)
			require.Equal(t, pipeline.StateSuccess, sum.State)
		}
	})
}

// rng2 derives a stable choice per task from the seed.
func rng2(seed uint64, i int) uint64 { return (seed + uint64(i)*2654435761) % 2 }
