package tasks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// BackupPrefix is where backup and restore tasks keep their files in a
// bucket: the key param "sales.avro" is the object "backups/sales.avro".
const BackupPrefix = avrobak.DefaultKeyPrefix

// BackupParams are the params of the "backup" and "restore" task types.
type BackupParams struct {
	// DB names the store (a database or CKAN site connection).
	DB string `json:"db"`
	// Table is the table backed up or restored.
	Table string `json:"table"`
	// Bucket names the bucket connection.
	Bucket string `json:"bucket"`
	// Key is the file's name under BackupPrefix.
	Key string `json:"key"`
	// Append (restore only) appends the rows instead of replacing the
	// table's content. Default false.
	Append bool `json:"append,omitempty"`
}

const backupParamsSchema = `{
  "type": "object",
  "required": ["db", "table", "bucket", "key"],
  "additionalProperties": false,
  "properties": {
    "db": {"type": "string", "minLength": 1, "description": "name of a database or CKAN site connection"},
    "table": {"type": "string", "minLength": 1},
    "bucket": {"type": "string", "minLength": 1, "description": "name of a bucket connection"},
    "key": {"type": "string", "minLength": 1, "maxLength": 1000, "description": "file name under backups/ in the bucket, e.g. sales/2024.avro"},
    "append": {"type": "boolean", "default": false, "description": "restore only: append instead of replace"}
  }
}`

// backupPlan is a backup or restore with resolved references.
type backupPlan struct {
	store  connection.Store
	bucket connection.Bucket
	key    string
	p      BackupParams
}

func (t *types) newBackup(restore bool) func(json.RawMessage) (pipeline.Task, error) {
	return func(params json.RawMessage) (pipeline.Task, error) {
		var b backupPlan
		if err := decodeParams(params, &b.p); err != nil {
			return nil, err
		}
		var err error
		if b.store, err = t.conns.Store(b.p.DB); err != nil {
			return nil, fmt.Errorf("db: %w", err)
		}
		if b.bucket, err = t.conns.Bucket(b.p.Bucket); err != nil {
			return nil, fmt.Errorf("bucket: %w", err)
		}
		if b.key, err = avrobak.ConfinedKey(BackupPrefix, b.p.Key); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		if restore {
			return pipeline.TaskFunc(b.restore), nil
		}
		return pipeline.TaskFunc(b.backup), nil
	}
}

// open connects to the store and the bucket; close releases both.
func (b *backupPlan) open(ctx context.Context) (*datastore.Store, *storage.Bucket, func(), error) {
	store, err := b.store.OpenStore(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	bk, err := b.bucket.Open(ctx)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return store, bk, func() { bk.Close(); store.Close() }, nil
}

func (b *backupPlan) backup(ctx context.Context, tc *pipeline.TaskContext) error {
	store, bk, closeAll, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := avrobak.BackupToBucket(ctx, store, b.p.Table, bk, b.key, nil)
	if err != nil {
		return err
	}
	tc.AddCounts(pipeline.Counts{RowsIn: rep.Rows, FilesOut: 1})
	return nil
}

func (b *backupPlan) restore(ctx context.Context, tc *pipeline.TaskContext) error {
	store, bk, closeAll, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := avrobak.RestoreFromBucket(ctx, bk, b.key, store, b.p.Table, &avrobak.RestoreOptions{Append: b.p.Append})
	if err != nil {
		return err
	}
	tc.AddCounts(pipeline.Counts{RowsOut: rep.Rows, FilesIn: 1})
	return nil
}
