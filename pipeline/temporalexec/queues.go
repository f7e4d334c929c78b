package temporalexec

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datafactory/datafactory/pipeline"
)

// Names of the workflow Updates through which attempts reach their run's
// queues.
const (
	QueuePutUpdate   = "datafactory.QueuePut"
	QueueClaimUpdate = "datafactory.QueueClaim"
	QueueAckUpdate   = "datafactory.QueueAck"
	QueueEndUpdate   = "datafactory.QueueEnd"
)

// claimWait bounds how long a claim Update waits in the workflow for an
// item; the attempt then asks again (so that no Update outlives its
// caller for long).
const claimWait = 10 * time.Second

// queueOp is the argument of the queue Updates.
type queueOp struct {
	Queue string
	Owner pipeline.QueueOwner
	Items []string
	Item  string
	OK    bool
}

// claimResult is the result of a claim Update: Status "item", "closed"
// or "wait" (nothing yet; ask again).
type claimResult struct {
	Item   string
	Status string
}

// Error types of the queue Updates' failures.
const (
	queueClosedType = "QueueClosed"
	queueErrorType  = "QueueError"
)

// wfQueues are a run's queues, held by its workflow: Temporal persists
// them in the workflow's history (every put, claim and ack is an Update
// recorded there, replayed when the workflow moves to another worker), so
// they survive any process, and the workflow already knows what the
// queues' rules need: when an attempt ends for good (its activity
// completes) and when the producers of a queue ended. This is Temporal's
// own mechanism for durable state shared by activities, not a second
// store with leases next to it. The history bounds a run's queue traffic
// (Temporal's limit of 50,000 events per workflow: some thousands of
// items per run).
type wfQueues struct {
	qs       map[string]*pipeline.QueueState
	feedLeft map[string]int
	feedErr  map[string]error
}

func newWfQueues(infos []pipeline.TaskInfo) *wfQueues {
	w := &wfQueues{qs: map[string]*pipeline.QueueState{}, feedLeft: map[string]int{}, feedErr: map[string]error{}}
	for _, ti := range infos {
		for _, q := range ti.Feeds {
			w.feedLeft[q]++
		}
	}
	return w
}

func (w *wfQueues) get(name string) *pipeline.QueueState {
	q, ok := w.qs[name]
	if !ok {
		q = pipeline.NewQueueState(name)
		w.qs[name] = q
	}
	return q
}

// register sets the Update handlers.
func (w *wfQueues) register(ctx workflow.Context) error {
	handlers := map[string]any{
		QueuePutUpdate: func(_ workflow.Context, op queueOp) error {
			return updateErr(w.get(op.Queue).Put(op.Owner, op.Items))
		},
		QueueAckUpdate: func(_ workflow.Context, op queueOp) error {
			return updateErr(w.get(op.Queue).Ack(op.Owner, op.Item))
		},
		QueueEndUpdate: func(_ workflow.Context, op queueOp) error {
			w.end(op.Owner, op.OK)
			return nil
		},
		QueueClaimUpdate: w.claim,
	}
	for _, name := range []string{QueuePutUpdate, QueueAckUpdate, QueueEndUpdate, QueueClaimUpdate} {
		if err := workflow.SetUpdateHandler(ctx, name, handlers[name]); err != nil {
			return err
		}
	}
	return nil
}

// claim waits up to claimWait for an item of the queue.
func (w *wfQueues) claim(ctx workflow.Context, op queueOp) (claimResult, error) {
	q := w.get(op.Queue)
	var res claimResult
	var err error
	try := func() bool {
		item, ok, e := q.Claim(op.Owner)
		switch {
		case ok:
			res = claimResult{Item: item, Status: "item"}
		case errors.Is(e, pipeline.ErrQueueClosed):
			res = claimResult{Status: "closed"}
		case e != nil:
			err = e
		default:
			return false
		}
		return true
	}
	done, werr := workflow.AwaitWithTimeout(ctx, claimWait, try)
	if werr != nil {
		return claimResult{}, werr
	}
	if !done {
		return claimResult{Status: "wait"}, nil
	}
	return res, updateErr(err)
}

// end ends an instance's claims in every queue, in name order.
func (w *wfQueues) end(o pipeline.QueueOwner, ok bool) {
	names := make([]string, 0, len(w.qs))
	for name := range w.qs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w.qs[name].End(o, ok)
	}
}

// endInstance ends every claim of an instance whose activity completed.
func (w *wfQueues) endInstance(task string, inst int, ok bool) {
	w.end(pipeline.QueueOwner{Task: task, Instance: inst, Attempt: math.MaxInt32}, ok)
}

// taskEnded closes the queues a task feeds once all their feeders ended,
// with an error when one of them did not succeed (as in-process).
func (w *wfQueues) taskEnded(ti pipeline.TaskInfo, st pipeline.State) {
	for _, q := range ti.Feeds {
		if st != pipeline.StateSuccess && w.feedErr[q] == nil {
			w.feedErr[q] = fmt.Errorf("task %s ended %s", ti.Name, st)
		}
		if w.feedLeft[q]--; w.feedLeft[q] == 0 {
			w.get(q).Close(w.feedErr[q])
		}
	}
}

// updateErr is how a queue error crosses to the attempt.
func updateErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pipeline.ErrQueueClosed):
		return temporal.NewNonRetryableApplicationError(err.Error(), queueClosedType, nil)
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), queueErrorType, nil)
}
