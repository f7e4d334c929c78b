package avrobak

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/storage"
)

// RestoreOptions configure [Restore]. The zero value (or nil) means
// defaults.
type RestoreOptions struct {
	// Append adds the rows to the table instead of replacing its content.
	// Default false: atomic replace (the table is recreated from the file's
	// Table Schema in a staging table and swapped in).
	Append bool
	// BatchSize is the number of rows written per batch. Default 0: the
	// datastore's default (10000).
	BatchSize int
	// MaxBlockSize is the largest block the reader accepts. Default 0:
	// [DefaultMaxBlockSize] (256 MiB).
	MaxBlockSize int64
	// Progress, when set, receives the load's progress (see
	// datastore.LoadOptions.Progress). Default nil.
	Progress func(datastore.Progress)
}

// RestoreReport describes a finished restore.
type RestoreReport struct {
	Table    string
	Mode     datastore.Mode
	Rows     int64         // rows written, equal to the file's recorded count
	Bytes    int64         // bytes of the file read
	Codec    Codec         // the file's block codec
	Created  bool          // the restore created the table
	Foreign  bool          // the file had no Table Schema (written by another tool)
	Duration time.Duration // wall time of the whole restore
	SHA256   string        // hex SHA-256 of the bytes read
}

// Restore loads the Avro object container file read from r into table of
// target. The table's definition comes from the file's Table Schema (or,
// for files written by other tools, from its Avro schema). Every row is
// decoded and checked, and the count must equal the one recorded in the
// file; the load is atomic, so on any failure (a corrupt or truncated
// file, a wrong sync marker, a count mismatch, a schema that does not fit
// an existing table, a row the database refuses) the target is unchanged.
// Errors match [ErrCorrupt], [ErrTruncated], [ErrCountMismatch] or
// [ErrSchemaMismatch] when they come from the file or the schema.
func Restore(ctx context.Context, r io.Reader, target *datastore.Store, table string, opts *RestoreOptions) (*RestoreReport, error) {
	start := time.Now()
	rep, err := restore(ctx, r, target, table, opts)
	if err != nil {
		return nil, fmt.Errorf("avrobak: restore %s: %w", table, err)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func restore(ctx context.Context, r io.Reader, target *datastore.Store, table string, opts *RestoreOptions) (*RestoreReport, error) {
	var o RestoreOptions
	if opts != nil {
		o = *opts
	}
	hr := &hashReader{r: r, h: sha256.New()}
	rd, err := NewReader(hr, &ReaderOptions{MaxBlockSize: o.MaxBlockSize})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	lo := &datastore.LoadOptions{
		Mode:       datastore.ModeReplace,
		MaxRejects: -1, // a row the database refuses fails the restore
		BatchSize:  o.BatchSize,
		Progress:   o.Progress,
	}
	if o.Append {
		lo.Mode = datastore.ModeAppend
	}
	lrep, err := datastore.Load(ctx, target, table, rd, lo)
	if errors.Is(err, datastore.ErrSchemaDrift) {
		return nil, fmt.Errorf("%w: %w", ErrSchemaMismatch, err)
	}
	if err != nil {
		return nil, err
	}
	rep := &RestoreReport{
		Table: table, Mode: lrep.Mode, Rows: lrep.Written, Bytes: rd.Bytes(), Codec: rd.Codec(),
		Created: lrep.Created, Foreign: !rd.HasTableSchema(), SHA256: hex.EncodeToString(hr.h.Sum(nil)),
	}
	if n, ok := rd.RecordedRows(); ok && lrep.Written != n || lrep.Written != rd.Rows() {
		// Cannot happen: the reader fails the load before its commit when
		// the count differs. Checked anyway, loudly.
		return rep, &CountError{Recorded: rd.Rows(), Actual: lrep.Written}
	}
	return rep, nil
}

// RestoreFromBucket restores table from the object key of bucket.
func RestoreFromBucket(ctx context.Context, bucket *storage.Bucket, key string, target *datastore.Store, table string, opts *RestoreOptions) (*RestoreReport, error) {
	br, err := bucket.NewReader(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("avrobak: restore %s: %w", table, err)
	}
	defer br.Close()
	return Restore(ctx, br, target, table, opts)
}

// hashReader hashes what is read through it.
type hashReader struct {
	r io.Reader
	h hash.Hash
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}
