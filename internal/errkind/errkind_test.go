package errkind_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/datafactory/datafactory/internal/errkind"
	"github.com/stretchr/testify/require"
)

func TestOf(t *testing.T) {
	t.Parallel()
	native := errors.New("duplicate key")
	tests := []struct {
		name string
		err  error
		want errkind.Code
	}{
		{"nil", nil, errkind.Unknown},
		{"plain", errors.New("not found"), errkind.Unknown},
		{"new", errkind.New(errkind.NotFound, "no such job"), errkind.NotFound},
		{"wrapped new", fmt.Errorf("get j1: %w", errkind.New(errkind.Conflict, "changed")), errkind.Conflict},
		{"wrap", errkind.Wrap(errkind.Exists, "insert", native), errkind.Exists},
		{"canceled", fmt.Errorf("write: %w", context.Canceled), errkind.Canceled},
		{"deadline", context.DeadlineExceeded, errkind.Canceled},
		{"unsupported", fmt.Errorf("snapshot: %w", errors.ErrUnsupported), errkind.Unsupported},
		{"code wins over context", errkind.Wrap(errkind.Closed, "", context.Canceled), errkind.Closed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, errkind.Of(tc.err))
		})
	}
}

func TestErrorChain(t *testing.T) {
	t.Parallel()
	native := &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}
	err := fmt.Errorf("read: %w", errkind.Wrap(errkind.NotFound, "object x", native))
	require.Equal(t, "read: object x: open x: file does not exist", err.Error())
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe, "the native error stays reachable")
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.Equal(t, "bare", errkind.New(errkind.Invalid, "bare").Error())
	require.Equal(t, "cause", errkind.Wrap(errkind.Invalid, "", errors.New("cause")).Error())
	require.NoError(t, errkind.Wrap(errkind.Invalid, "x", nil))
}

func TestSentinels(t *testing.T) {
	t.Parallel()
	errNotFound := errors.New("not found")
	errOther := errors.New("other")
	s := errkind.Sentinels{errkind.NotFound: errNotFound}
	require.True(t, s.Is(errkind.NotFound, errNotFound))
	require.False(t, s.Is(errkind.NotFound, errOther))
	require.False(t, s.Is(errkind.Exists, errNotFound))
	require.False(t, s.Is(errkind.Exists, nil), "a code without a sentinel matches nothing, not even nil")
	require.Equal(t, errNotFound, s.For(errkind.NotFound))
	require.NoError(t, s.For(errkind.Conflict))
}

func TestCodeString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "not found", errkind.NotFound.String())
	require.Equal(t, "failed precondition", errkind.FailedPrecondition.String())
	require.Equal(t, "unknown", errkind.Code(99).String())
	require.Equal(t, "unknown", errkind.Code(-1).String())
}
