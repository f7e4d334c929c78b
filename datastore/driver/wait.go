package driver

import "context"

// waitingKey is the context key of the waiting notice.
type waitingKey struct{}

// WithWaiting returns a context whose write sessions call fn (with the
// table's name) when they have to wait for another session of the same
// table, such as a concurrent replace, before they go on. fn is called at
// most once per session, from the session's goroutine.
func WithWaiting(ctx context.Context, fn func(table string)) context.Context {
	return context.WithValue(ctx, waitingKey{}, fn)
}

// Waiting returns the notice of WithWaiting for table, or nil when the
// context carries none.
func Waiting(ctx context.Context, table string) func() {
	fn, _ := ctx.Value(waitingKey{}).(func(string))
	if fn == nil {
		return nil
	}
	return func() { fn(table) }
}

// SingleWriter is implemented by drivers whose database takes one write
// session at a time (SQLite): a second session waits until the first ends,
// so a caller must not open one while it holds another.
type SingleWriter interface {
	// SingleWriter reports whether the database has one writer at a time.
	SingleWriter() bool
}
