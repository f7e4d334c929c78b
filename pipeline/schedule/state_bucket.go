package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// BucketStateStore is a [StateStore] in a storage bucket: each key is a
// small JSON object "<prefix>/<key>.json". Writes are atomic (storage
// writes are all-or-nothing), so a crash leaves the old or the new value.
// One scheduler should own a prefix.
type BucketStateStore struct {
	b      *storage.Bucket
	prefix string
}

var _ StateStore = (*BucketStateStore)(nil)

// NewBucketStateStore returns a state store under prefix (a directory
// such as "_scheduler") of b.
func NewBucketStateStore(b *storage.Bucket, prefix string) (*BucketStateStore, error) {
	if err := storage.ValidateKey(prefix); err != nil {
		return nil, fmt.Errorf("bucket state store: %w", err)
	}
	return &BucketStateStore{b: b, prefix: prefix}, nil
}

func (s *BucketStateStore) key(k string) string { return s.prefix + "/" + k + ".json" }

// Get implements [StateStore].
func (s *BucketStateStore) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := s.b.ReadAll(ctx, s.key(key))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return data, err
}

// Put implements [StateStore].
func (s *BucketStateStore) Put(ctx context.Context, key string, value []byte) error {
	return s.b.WriteAll(ctx, s.key(key), value, &storage.WriteOptions{ContentType: "application/json"})
}

// SubscriptionSource is a [FileSource] over a storage subscription: new
// objects under the subscription's prefix, and objects re-uploaded with
// new content, become new files. The cursor is the subscription's
// storage.Cursor as JSON.
type SubscriptionSource struct {
	Subscription *storage.Subscription
}

var _ FileSource = SubscriptionSource{}

// Poll implements [FileSource].
func (s SubscriptionSource) Poll(ctx context.Context, cursor json.RawMessage) ([]pipeline.File, json.RawMessage, error) {
	var cur storage.Cursor
	if len(cursor) > 0 {
		if err := json.Unmarshal(cursor, &cur); err != nil {
			return nil, nil, fmt.Errorf("subscription cursor: %w", err)
		}
	}
	objs, next, err := s.Subscription.Poll(ctx, cur)
	if err != nil {
		return nil, nil, err
	}
	files := make([]pipeline.File, len(objs))
	for i, o := range objs {
		files[i] = pipeline.File{Key: o.Key, Size: o.Size}
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return nil, nil, fmt.Errorf("subscription cursor: %w", err)
	}
	return files, raw, nil
}
