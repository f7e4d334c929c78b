package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// gatedRows yields one row, then waits for the gate before the rest.
type gatedRows struct {
	rowSlice
	gate   chan struct{}
	opened chan struct{}
	n      int
}

func (g *gatedRows) Read() (frictionless.Row, error) {
	if g.n == 1 {
		close(g.opened)
		<-g.gate
	}
	g.n++
	return g.rowSlice.Read()
}

// TestReplaceSaysItWaits: on every backend a replace that finds
// another replace of the same table running calls LoadOptions.Waiting
// before it waits; it then runs after the first and its rows win.
func TestReplaceSaysItWaits(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := open(t, b)
			schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}}}
			first := &gatedRows{rowSlice: rowSlice{schema: schema, rows: []frictionless.Row{{int64(1)}, {int64(2)}}},
				gate: make(chan struct{}), opened: make(chan struct{})}
			done := make(chan error, 1)
			go func() {
				_, err := datastore.Load(ctx, s, "waited", first, &datastore.LoadOptions{Mode: datastore.ModeReplace, BatchSize: 1})
				done <- err
			}()
			<-first.opened
			time.Sleep(100 * time.Millisecond) // the first has written its first batch
			waited := make(chan string, 1)
			second := make(chan error, 1)
			go func() {
				_, err := datastore.Load(ctx, s, "waited", &rowSlice{schema: schema, rows: []frictionless.Row{{int64(3)}}},
					&datastore.LoadOptions{Mode: datastore.ModeReplace, Waiting: func(table string) { waited <- table }})
				second <- err
			}()
			select {
			case table := <-waited:
				require.Equal(t, "waited", table)
			case err := <-second:
				t.Fatalf("the second replace ended without waiting: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("the second replace never said it waits")
			}
			close(first.gate)
			require.NoError(t, <-done)
			require.NoError(t, <-second)
			n, err := s.CountRows(ctx, "waited")
			require.NoError(t, err)
			require.EqualValues(t, 1, n, "the second replace ran last")
		})
	}
}
