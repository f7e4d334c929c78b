package connection

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// Embedded is the embedded default setup of one machine: everything in one
// directory, nothing else installed.
type Embedded struct {
	// Dir is the directory holding everything.
	Dir string
	// Store is the SQLite data store, Dir/data.db.
	Store *datastore.Store
	// Status is the SQLite status store, Dir/status.db.
	Status *status.Store
	// Bucket is the file:// bucket in Dir/bucket.
	Bucket *storage.Bucket
	// Connections names them for confs: the database, the bucket and the
	// file root Dir/files are each called DefaultName.
	Connections *Set
}

// OpenEmbedded creates dir (and its subdirectories) when missing and opens
// the embedded defaults in it. Close releases them.
func OpenEmbedded(ctx context.Context, dir string) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("connection: embedded: %w", err)
	}
	files := filepath.Join(abs, "files")
	if err := os.MkdirAll(files, 0o750); err != nil {
		return nil, fmt.Errorf("connection: embedded: %w", err)
	}
	e := &Embedded{Dir: abs, Connections: &Set{
		Databases: map[string]Database{DefaultName: {URL: "sqlite:" + filepath.Join(abs, "data.db")}},
		Buckets:   map[string]Bucket{DefaultName: {URL: (&url.URL{Scheme: "file", Path: filepath.Join(abs, "bucket")}).String()}},
		Roots:     map[string]string{DefaultName: files},
	}}
	if e.Store, err = e.Connections.OpenStore(ctx, DefaultName); err != nil {
		return nil, err
	}
	if e.Status, err = sqlstatus.Open(ctx, "sqlite:"+filepath.Join(abs, "status.db"), nil); err != nil {
		e.Close()
		return nil, fmt.Errorf("connection: embedded status store: %w", err)
	}
	if e.Bucket, err = e.Connections.OpenBucket(ctx, DefaultName); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close closes the stores and the bucket.
func (e *Embedded) Close() error {
	var errs []error
	if e.Store != nil {
		errs = append(errs, e.Store.Close())
	}
	if e.Status != nil {
		errs = append(errs, e.Status.Close())
	}
	if e.Bucket != nil {
		errs = append(errs, e.Bucket.Close())
	}
	return errors.Join(errs...)
}
