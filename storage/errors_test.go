package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/gcerrors"
)

// TestWrapErrKinds: a gocloud error is wrapped once with its kind; a
// missing object matches ErrNotFound and nothing else, the gocloud error
// stays reachable, and our own errors pass unchanged.
func TestWrapErrKinds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := memblob.OpenBucket(nil)
	defer b.Close()
	_, native := b.ReadAll(ctx, "missing")
	require.Equal(t, gcerrors.NotFound, gcerrors.Code(native))

	err := wrapErr("read", "missing", native)
	require.ErrorIs(t, err, ErrNotFound)
	require.NotErrorIs(t, err, ErrAborted)
	require.Equal(t, gcerrors.NotFound, gcerrors.Code(err), "gocloud's code survives the wrap")
	require.Equal(t, `storage: read "missing": `+native.Error(), err.Error())
	require.Same(t, err, wrapErr("again", "k", err), "wrapped once")

	other := wrapErr("list", "", errors.New("network down"))
	require.NotErrorIs(t, other, ErrNotFound)
	require.Equal(t, "storage: list: network down", other.Error())

	aborted := &opError{op: "write", key: "k", sentinel: ErrAborted, err: context.Canceled}
	require.ErrorIs(t, aborted, ErrAborted)
	require.ErrorIs(t, aborted, context.Canceled)
	require.NotErrorIs(t, aborted, ErrNotFound)

	ke := &KeyError{Key: "../x", Reason: "dots"}
	require.Same(t, error(ke), wrapErr("read", "../x", ke))
	require.NoError(t, wrapErr("read", "k", nil))
}
