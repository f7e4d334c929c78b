package pipeline_test

import (
	"errors"
	"testing"

	"github.com/datafactory/datafactory/pipeline"
)

// TestQueueStateClaims follows items through claims, acks, a failed
// attempt, a superseded attempt and a failed producer.
func TestQueueStateClaims(t *testing.T) {
	q := pipeline.NewQueueState("pages")
	prod := pipeline.QueueOwner{Task: "fetch", Attempt: 1}
	a1 := pipeline.QueueOwner{Task: "insert", Instance: 0, Attempt: 1}
	b1 := pipeline.QueueOwner{Task: "insert", Instance: 1, Attempt: 1}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	claim := func(o pipeline.QueueOwner) string {
		t.Helper()
		item, ok, err := q.Claim(o)
		if err != nil || !ok {
			t.Fatalf("claim by %+v: %q %v %v", o, item, ok, err)
		}
		return item
	}
	must(q.Put(prod, []string{"p0", "p1", "p2"}))
	must(q.Put(pipeline.QueueOwner{Task: "fetch", Attempt: 2}, []string{"p0", "p1", "p2", "p3"})) // a retry: only p3 is new
	if got := claim(a1); got != "p0" {
		t.Fatalf("first claim %q, want p0", got)
	}
	must(q.Ack(a1, "p0"))
	if got := claim(a1); got != "p1" {
		t.Fatalf("second claim %q, want p1", got)
	}
	q.End(a1, false) // the attempt failed: p1 goes back, p0 stays done
	if got := claim(b1); got != "p1" {
		t.Fatalf("claim after a failure %q, want p1 back", got)
	}
	if got := claim(b1); got != "p2" {
		t.Fatalf("claim %q, want p2", got)
	}
	// b's attempt 1 dies; its retry supersedes it and gets p1, p2 back.
	b2 := pipeline.QueueOwner{Task: "insert", Instance: 1, Attempt: 2}
	if got := claim(b2); got != "p1" {
		t.Fatalf("retry claim %q, want p1", got)
	}
	if _, _, err := q.Claim(b1); err == nil {
		t.Fatal("a superseded attempt could still claim")
	}
	if err := q.Ack(b1, "p1"); err == nil {
		t.Fatal("a superseded attempt could ack")
	}
	q.End(b2, true)
	q.Close(nil)
	for _, want := range []string{"p2", "p3"} {
		if got := claim(a1); got != want {
			t.Fatalf("claim %q, want %q", got, want)
		}
	}
	if _, _, err := q.Claim(a1); !errors.Is(err, pipeline.ErrQueueClosed) {
		t.Fatalf("claim of a drained closed queue: %v, want ErrQueueClosed", err)
	}
	q.End(a1, false) // p2, p3 come back even after the close
	if got := claim(b2); got != "p2" {
		t.Fatalf("claim %q, want p2", got)
	}

	failed := pipeline.NewQueueState("rows")
	must(failed.Put(prod, []string{"r0"}))
	failed.Close(errors.New("task fetch ended FAILED"))
	if _, _, err := failed.Claim(a1); err == nil || err.Error() != "queue rows: producer failed: task fetch ended FAILED" {
		t.Fatalf("claim after a producer failed: %v", err)
	}
}
