// Package storagetest is the conformance suite every storage backend runs:
// the same tests against file://, mem:// and S3-protocol buckets, through
// the storage package's own API.
//
// A backend's test supplies a [Harness] and calls [RunConformanceTests]:
//
//	func TestConformance(t *testing.T) {
//		storagetest.RunConformanceTests(t, func(t *testing.T) *storagetest.Harness {
//			dir := t.TempDir()
//			return &storagetest.Harness{Open: func(ctx context.Context) (*storage.Bucket, error) {
//				return storage.Open(ctx, "file://"+dir)
//			}}
//		})
//	}
//
// The large-object streaming test measures heap growth, so
// RunConformanceTests must not run in parallel with other tests: call it from
// a top-level test that is not parallel (its own subtests are).
package storagetest

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

// Harness gives the suite fresh storage for one test.
type Harness struct {
	// Open returns a new *storage.Bucket over this harness's storage, which
	// starts empty. Calling it again simulates a process restart: the new
	// Bucket sees every object committed through earlier ones (earlier
	// Buckets stay usable). The harness closes the buckets it returns when
	// the test ends. Required.
	Open func(ctx context.Context) (*storage.Bucket, error)
	// InMemory reports that objects live in this process's heap (mem://), so
	// writing a large object must grow the heap by its size; the streaming
	// test then bounds only the read side. Default false.
	InMemory bool
	// StreamSize is the size of the streamed object. Default: 200 MiB.
	StreamSize int64
	// WriteBuffer is the memory the backend's client may hold during a
	// write whatever the object's size, e.g. S3's transfer manager pools
	// Concurrency+1 parts (6 × 8 MiB) and keeps requests in flight. The
	// streaming test allows WriteBuffer + 16 MiB of heap growth. Default 0.
	WriteBuffer int64
	// ModTimeResolution is the coarsest step of the backend's modification
	// times; tests that need two distinct times wait this long. Default 10ms.
	ModTimeResolution time.Duration
	// Leftovers, when set, reports debris that aborted writes may leave
	// outside the visible objects (e.g. incomplete S3 multipart uploads). It
	// must return nothing after an aborted write. Default nil: not checked.
	Leftovers func(ctx context.Context) ([]string, error)
}

// RunConformanceTests runs the suite; newHarness is called once per subtest.
func RunConformanceTests(t *testing.T, newHarness func(t *testing.T) *Harness) {
	// Sequential first: nothing else may allocate while heap growth is measured.
	t.Run("StreamLargeObject", func(t *testing.T) { testStream(t, newHarness(t)) })
	tests := []struct {
		name string
		fn   func(t *testing.T, h *Harness)
	}{
		{"ReadWriteList", testReadWriteList},
		{"Attributes", testAttributes},
		{"NotFound", testNotFound},
		{"BadKeys", testBadKeys},
		{"RunLayout", testRunLayout},
		{"JSONRoundTrip", testJSONRoundTrip},
		{"FrictionlessDescriptors", testDescriptors},
		{"AtomicWriteCancel", testAtomicCancel},
		{"AtomicWriteFailedSource", testAtomicFailedSource},
		{"AtomicOverwriteKeepsOld", testAtomicOverwrite},
		{"Retention", testRetention},
		{"RetentionDryRun", testRetentionDryRun},
		{"SubscriptionRestart", testSubscriptionRestart},
		{"SubscriptionFilters", testSubscriptionFilters},
		{"SubscriptionCursorStaysSmall", testSubscriptionSmallCursor},
		{"SubscriptionLateArrival", testSubscriptionLateArrival},
		{"SubscriptionMultipartReupload", testSubscriptionMultipartReupload},
		{"SubscriptionBatches", testSubscriptionBatches},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newHarness(t))
		})
	}
}

// open opens a bucket (the harness closes it).
func open(t *testing.T, h *Harness) *storage.Bucket {
	t.Helper()
	b, err := h.Open(t.Context())
	require.NoError(t, err)
	return b
}

func put(t *testing.T, b *storage.Bucket, key, content string) {
	t.Helper()
	require.NoError(t, b.WriteAll(t.Context(), key, []byte(content), nil))
}

func keys(objs []storage.Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

func listKeys(t *testing.T, b *storage.Bucket, prefix string) []string {
	t.Helper()
	objs, err := b.ListAll(t.Context(), prefix)
	require.NoError(t, err)
	return keys(objs)
}

func (h *Harness) resolution() time.Duration {
	if h.ModTimeResolution > 0 {
		return h.ModTimeResolution
	}
	return 10 * time.Millisecond
}

// tick waits until the backend will give later writes a later ModTime.
func (h *Harness) tick() { time.Sleep(h.resolution() + 5*time.Millisecond) }

func testReadWriteList(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	for _, k := range []string{"b/2.txt", "a/1.txt", "b/1.txt", "b/sub/3.txt", "c.txt"} {
		put(t, b, k, "content of "+k)
	}
	require.Equal(t, []string{"a/1.txt", "b/1.txt", "b/2.txt", "b/sub/3.txt", "c.txt"}, listKeys(t, b, ""))
	require.Equal(t, []string{"b/1.txt", "b/2.txt", "b/sub/3.txt"}, listKeys(t, b, "b/"))
	require.Equal(t, []string{"b/1.txt"}, listKeys(t, b, "b/1"))
	dirs, err := b.ListDirs(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, dirs)

	got, err := b.ReadAll(ctx, "b/sub/3.txt")
	require.NoError(t, err)
	require.Equal(t, "content of b/sub/3.txt", string(got))
	var buf bytes.Buffer
	n, err := b.Get(ctx, "a/1.txt", &buf)
	require.NoError(t, err)
	require.Equal(t, int64(len("content of a/1.txt")), n)
	require.Equal(t, "content of a/1.txt", buf.String())

	ok, err := b.Exists(ctx, "c.txt")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, b.Delete(ctx, "c.txt"))
	ok, err = b.Exists(ctx, "c.txt")
	require.NoError(t, err)
	require.False(t, ok)

	// Empty objects are objects too.
	require.NoError(t, b.WriteAll(ctx, "empty", nil, nil))
	got, err = b.ReadAll(ctx, "empty")
	require.NoError(t, err)
	require.Empty(t, got)
}

func testAttributes(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	before := time.Now().Add(-time.Minute)
	content := []byte("id,name\n1,Ada\n")
	require.NoError(t, b.WriteAll(ctx, "data/x.csv", content, &storage.WriteOptions{
		ContentType: "text/csv", Metadata: map[string]string{"source": "test"},
	}))
	a, err := b.Attributes(ctx, "data/x.csv")
	require.NoError(t, err)
	require.Equal(t, "data/x.csv", a.Key)
	require.Equal(t, int64(len(content)), a.Size)
	require.True(t, a.ModTime.After(before), "modtime %v", a.ModTime)
	require.True(t, a.ModTime.Before(time.Now().Add(time.Minute)), "modtime %v", a.ModTime)
	sum := md5.Sum(content)
	require.Equal(t, sum[:], a.MD5)
	require.NotEmpty(t, a.ETag)
	require.Equal(t, "text/csv", a.ContentType)
	require.Equal(t, "test", a.Metadata["source"])

	// A listing reports the same size and MD5.
	objs, err := b.ListAll(ctx, "data/")
	require.NoError(t, err)
	require.Len(t, objs, 1)
	require.Equal(t, a.Size, objs[0].Size)
	require.Equal(t, a.MD5, objs[0].MD5)

	// New content: new MD5 and ETag.
	h.tick()
	require.NoError(t, b.WriteAll(ctx, "data/x.csv", []byte("id,name\n2,Grace\n"), nil))
	a2, err := b.Attributes(ctx, "data/x.csv")
	require.NoError(t, err)
	require.NotEqual(t, a.MD5, a2.MD5)
	require.NotEqual(t, a.ETag, a2.ETag)
}

func testNotFound(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	run := b.Run("dag", "run1").Task("t")
	var v map[string]any
	calls := []struct {
		name, key string
		call      func() error
	}{
		{"NewReader", "missing/x", func() error { _, err := b.NewReader(ctx, "missing/x"); return err }},
		{"ReadAll", "missing/x", func() error { _, err := b.ReadAll(ctx, "missing/x"); return err }},
		{"Get", "missing/x", func() error { _, err := b.Get(ctx, "missing/x", &bytes.Buffer{}); return err }},
		{"Attrs", "missing/x", func() error { _, err := b.Attributes(ctx, "missing/x"); return err }},
		{"Delete", "missing/x", func() error { return b.Delete(ctx, "missing/x") }},
		{"GetJSON", "missing/x.json", func() error { return b.GetJSON(ctx, "missing/x.json", &v) }},
		{"TaskJSON", "dag/run1/t/resource.json", func() error { return run.GetJSON(ctx, "resource.json", &v) }},
		{"TaskRead", "dag/run1/t/data.csv", func() error { _, err := run.NewReader(ctx, "data.csv"); return err }},
	}
	for _, c := range calls {
		err := c.call()
		require.Error(t, err, c.name)
		require.ErrorIs(t, err, storage.ErrNotFound, c.name)
		require.NotErrorIs(t, err, storage.ErrInvalidKey, c.name)
		require.Contains(t, err.Error(), c.key, c.name+": the error names the key")
	}
	ok, err := b.Exists(ctx, "missing/x")
	require.NoError(t, err)
	require.False(t, ok)
	// Errors other than "missing" do not match ErrNotFound.
	put(t, b, "bad.json", "{not json")
	err = b.GetJSON(ctx, "bad.json", &v)
	require.Error(t, err)
	require.NotErrorIs(t, err, storage.ErrNotFound)
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

var errSource = errors.New("source failed")
