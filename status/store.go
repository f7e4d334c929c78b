package status

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/datafactory/datafactory/status/driver"
)

// Options configure a Store. The zero value (or nil) means defaults.
type Options struct {
	// Now is the clock used for event and job times. Default time.Now.
	Now func() time.Time
}

// Store records traces, events and jobs in a backend. Get one from a
// backend's Open (sqlstatus.Open, memstatus.New, statushttp.NewClient).
// It is safe for concurrent use.
type Store struct {
	drv    driver.Driver
	now    func() time.Time
	closed atomic.Bool
}

// New returns a Store over a driver. It is meant for backend packages;
// applications get a Store from a backend's constructor.
func New(d driver.Driver, opts *Options) *Store {
	s := &Store{drv: d, now: time.Now}
	if opts != nil && opts.Now != nil {
		s.now = opts.Now
	}
	return s
}

// Now returns the store's current time in UTC, truncated to microseconds
// (the precision every backend keeps).
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Driver returns the backend, for code that needs backend-specific access.
func (s *Store) Driver() driver.Driver { return s.drv }

// Close releases the backend. Calling Close again returns ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return &Error{Op: "close", Kind: ErrClosed}
	}
	return s.wrap("close", "", s.drv.Close())
}

// check returns ErrClosed after Close.
func (s *Store) check(op, key string) error {
	if s.closed.Load() {
		return &Error{Op: op, Key: key, Kind: ErrClosed}
	}
	return nil
}

// Tx is a transaction of the store's backend, for the …Tx methods
// (StartTraceTx, AddEventTx, CreateJobTx, TransitionTx), which write as
// part of work the caller commits or rolls back. For sqlstatus it is an
// sqlx.ExtContext, normally a *sqlx.Tx begun on sqlstatus.DB(store).
// Backends without transactions (memstatus, the HTTP client) return an
// error matching errors.ErrUnsupported.
type Tx = any

// noTx marks "a …Tx method was called with a nil tx".
type noTx struct{}

// errNoTx is returned when the backend has no transactions.
var errNoTx = fmt.Errorf("transactions: %w", errors.ErrUnsupported)

// orNoTx keeps a nil tx from meaning "no transaction" in a …Tx call.
func orNoTx(tx Tx) Tx {
	if tx == nil {
		return noTx{}
	}
	return tx
}

// txDriver returns the backend's transaction support, if any.
func (s *Store) txDriver() (driver.TxDriver, bool) {
	td, ok := s.drv.(driver.TxDriver)
	return td, ok
}

// dispatch runs a driver write: direct when tx is nil, else inTx on the
// driver's TxDriver (errNoTx when the driver has none).
func dispatch[A, T any](ctx context.Context, s *Store, tx Tx, arg A,
	direct func(context.Context, A) (T, error),
	inTx func(driver.TxDriver, context.Context, Tx, A) (T, error)) (T, error) {
	if tx == nil {
		return direct(ctx, arg)
	}
	if td, ok := s.txDriver(); ok {
		return inTx(td, ctx, tx, arg)
	}
	var zero T
	return zero, errNoTx
}
