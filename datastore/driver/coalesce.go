package driver

// Coalescer is implemented by Writers whose every Write has a fixed cost
// on the database besides its rows (PostgreSQL: a COPY statement, measured
// at several milliseconds of server CPU each). When the writer falls
// behind the reader and batches are waiting, the loader joins them into
// one Write while it holds fewer than CoalesceRows rows. Only batches that
// are already in memory are joined, so a load holds no more rows than it
// would otherwise; a Write stays atomic and a refused one is split as
// before.
type Coalescer interface {
	// CoalesceRows is the row count below which waiting batches are
	// joined to the current one (0: never).
	CoalesceRows() int
}
