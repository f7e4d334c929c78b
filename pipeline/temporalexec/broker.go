package temporalexec

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/datafactory/datafactory/pipeline"
)

// updateBroker is an attempt activity's [pipeline.QueueBroker]: every
// operation is an Update of the run's workflow, which holds the queues.
// The owner's attempt is Temporal's attempt number, so a retry of an
// attempt lost with its worker supersedes it and its claims go back.
type updateBroker struct {
	c     client.Client
	runID string
	owner pipeline.QueueOwner
}

func newUpdateBroker(ctx context.Context, task string, inst int) *updateBroker {
	info := activity.GetInfo(ctx)
	return &updateBroker{c: activity.GetClient(ctx), runID: info.WorkflowExecution.ID,
		owner: pipeline.QueueOwner{Task: task, Instance: inst, Attempt: int(info.Attempt)}}
}

func (b *updateBroker) update(ctx context.Context, name string, op queueOp, out any) error {
	op.Owner = b.owner
	h, err := b.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: b.runID, UpdateName: name,
		Args: []any{op}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		if app.Type() == queueClosedType {
			return fmt.Errorf("%s: %w", app.Message(), pipeline.ErrQueueClosed)
		}
		return errors.New(app.Message())
	}
	return fmt.Errorf("queue %s: %w", op.Queue, err)
}

// Put implements [pipeline.QueueBroker].
func (b *updateBroker) Put(ctx context.Context, queue string, items []string) error {
	return b.update(ctx, QueuePutUpdate, queueOp{Queue: queue, Items: items}, nil)
}

// Claim implements [pipeline.QueueBroker]: it asks again while the
// workflow answers that nothing is waiting yet.
func (b *updateBroker) Claim(ctx context.Context, queue string) (string, error) {
	for {
		var res claimResult
		if err := b.update(ctx, QueueClaimUpdate, queueOp{Queue: queue}, &res); err != nil {
			return "", err
		}
		switch res.Status {
		case "item":
			return res.Item, nil
		case "closed":
			return "", pipeline.ErrQueueClosed
		}
	}
}

// Ack implements [pipeline.QueueBroker].
func (b *updateBroker) Ack(ctx context.Context, queue, item string) error {
	return b.update(ctx, QueueAckUpdate, queueOp{Queue: queue, Item: item}, nil)
}

// End implements [pipeline.QueueBroker].
func (b *updateBroker) End(ctx context.Context, ok bool) error {
	return b.update(ctx, QueueEndUpdate, queueOp{OK: ok}, nil)
}
