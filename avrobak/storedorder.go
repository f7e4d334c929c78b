package avrobak

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
)

// encodeAsStored encodes the table's values into bw, a Writer of f (where
// the file starts at base) that counts its rows, reading them in the
// order they are stored ([datastore.Snapshot.ReadValuesAsStored]), which
// costs PostgreSQL less than reading them by the key's index. When the
// backend cannot, bw is returned untouched and open, with streamed false.
// When the rows turn out not to be stored in key order, the file is
// truncated back to base and a new Writer of it returned, with streamed
// false: the caller reads the table again by its key.
func encodeAsStored(ctx context.Context, bw *Writer, f *os.File, base int64, schema *frictionless.Schema, table string, snap *datastore.Snapshot, opts *BackupOptions) (_ *Writer, streamed bool, err error) {
	streamed, err = encodeValues(ctx, bw, schema, table, snap.ReadValuesAsStored, opts.progress())
	if !errors.Is(err, datastore.ErrNotInKeyOrder) { // done, failed, or unsupported (bw untouched)
		return bw, streamed, err
	}
	if err := f.Truncate(base); err != nil {
		return nil, false, err
	}
	if _, err := f.Seek(base, io.SeekStart); err != nil {
		return nil, false, err
	}
	bw, err = newWriter(f, schema, countLater, opts.writerOptions(table), nil)
	return bw, false, err
}
