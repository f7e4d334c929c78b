package sqlstore

import (
	"context"

	"github.com/datafactory/datafactory/datastore/driver"
)

// OpenDriver is Open without the Store around the driver, for tests that
// wrap the driver to watch its writers.
func OpenDriver(ctx context.Context, rawURL string) (driver.Driver, error) {
	return openDriver(ctx, rawURL, nil)
}

// StagingName exposes the staging-table naming to the external tests, which
// create stale staging tables the way a killed load leaves them.
var StagingName = stagingName

// SetMinLoadRows sets the smallest MySQL write sent with LOAD DATA (for
// the benchmark that compares it with INSERTs) and returns the old value.
func SetMinLoadRows(n int) int {
	old := minLoadRows
	minLoadRows = n
	return old
}
