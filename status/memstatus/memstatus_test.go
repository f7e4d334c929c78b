package memstatus_test

import (
	"testing"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/memstatus"
	"github.com/datafactory/datafactory/status/statustest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	statustest.RunConformanceTests(t, func(t *testing.T, now func() time.Time) *status.Store {
		s := memstatus.New(&memstatus.Options{Now: now})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
