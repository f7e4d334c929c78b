package status_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
)

// A trace with a recorder: each step is one event; the summary says
// whether processing is done and why it failed.
func ExampleRecorder_Wrap() {
	ctx := context.Background()
	store := memstatus.New(nil)
	defer store.Close()

	tr, _ := store.StartTrace(ctx, status.Event{TraceID: "upload-1", Domain: "dataset", DomainID: "ds/1"})
	rec := status.NewRecorder(store, tr.TraceID, &status.RecorderOptions{Component: "loader"})
	_ = rec.Wrap(ctx, "read", func(ctx context.Context, st *status.Step) error {
		st.Set("rows", 3)
		return nil
	})
	err := rec.Wrap(ctx, "validate", func(ctx context.Context, st *status.Step) error {
		st.AddError(map[string]string{"en": "Invalid value.", "nb": "Ugyldig verdi."})
		return errors.New("row 2: invalid value")
	})
	fmt.Println("work error:", err)

	sum, _ := store.Summary(ctx, tr.TraceID)
	fmt.Printf("done=%v status=%s/%s errors=%v\n", sum.Done, sum.TraceStatus, sum.TraceEventStatus, sum.Errors)
	// Output:
	// work error: row 2: invalid value
	// done=true status=FINISHED/FAILED errors=[Invalid value.]
}

// Jobs move through a state machine; illegal moves are errors.
func ExampleStore_Transition() {
	ctx := context.Background()
	store := memstatus.New(nil)
	defer store.Close()

	job, _ := store.CreateJob(ctx, status.Job{ID: "job-1", Type: status.JobLoad, Dataset: "ds", Resource: "r1"})
	job, _ = store.Transition(ctx, job.ID, status.JobRunning, nil)
	job, _ = store.Transition(ctx, job.ID, status.JobDone, map[string]any{"rows": 3})
	fmt.Println(job.Status, job.Info["rows"])

	_, err := store.Transition(ctx, job.ID, status.JobRunning, nil)
	fmt.Println(errors.Is(err, status.ErrIllegalTransition))
	// Output:
	// DONE 3
	// true
}

// Reap fails RUNNING jobs whose worker stopped heartbeating.
func ExampleStore_Reap() {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	store := memstatus.New(&memstatus.Options{Now: func() time.Time { return now }})
	defer store.Close()

	_, _ = store.CreateJob(ctx, status.Job{ID: "job-1", Type: status.JobHarvest, Status: status.JobRunning})
	now = now.Add(time.Hour) // no heartbeat for an hour
	reaped, _ := store.Reap(ctx, 10*time.Minute)
	fmt.Println(len(reaped), reaped[0].Status)
	// Output:
	// 1 FAILED
}
