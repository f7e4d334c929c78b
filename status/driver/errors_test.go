package driver_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/datafactory/datafactory/status/driver"
	"github.com/stretchr/testify/require"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	require.Equal(t, driver.NotFound, driver.KindOf(driver.ErrNotFound))
	require.Equal(t, driver.Conflict, driver.KindOf(fmt.Errorf("update job j1: %w", driver.ErrConflict)))
	require.Equal(t, driver.Invalid, driver.KindOf(driver.NewError(driver.Invalid, "bad")))
	require.Equal(t, driver.Unknown, driver.KindOf(errors.New("not found")), "only *Error values carry a kind")
	require.Equal(t, driver.Unknown, driver.KindOf(nil))
	require.ErrorIs(t, fmt.Errorf("x: %w", driver.ErrClosed), driver.ErrClosed)
	require.Equal(t, "store is closed", driver.ErrClosed.Error())
}
