package storagetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

// restart persists v as JSON and restores it into a fresh value, as a
// process that saved its state and started again would.
func restart[T any](t *testing.T, v T) T {
	t.Helper()
	p, err := json.Marshal(v)
	require.NoError(t, err)
	var out T
	require.NoError(t, json.Unmarshal(p, &out))
	return out
}

// poller polls a subscription and persists the cursor through JSON each time.
type poller struct {
	t    *testing.T
	h    *Harness
	opts *storage.SubscriptionOptions
	sub  *storage.Subscription
	cur  storage.Cursor
}

func newPoller(t *testing.T, h *Harness, prefix string, opts *storage.SubscriptionOptions) *poller {
	p := &poller{t: t, h: h, opts: opts}
	p.restart(prefix)
	return p
}

// restart opens a new bucket and subscription and restores the saved cursor.
func (p *poller) restart(prefix string) {
	b := open(p.t, p.h)
	sub, err := b.Subscribe(prefix, p.opts)
	require.NoError(p.t, err)
	p.sub = sub
	p.cur = restart(p.t, p.cur)
}

func (p *poller) poll() []string {
	p.t.Helper()
	objs, next, err := p.sub.Poll(p.t.Context(), p.cur)
	require.NoError(p.t, err)
	p.cur = restart(p.t, next)
	return keys(objs)
}

func testSubscriptionRestart(t *testing.T, h *Harness) {
	b := open(t, h)
	put(t, b, "in/a.csv", "a1")
	put(t, b, "in/c.csv", "c1")
	put(t, b, "out/x.csv", "not subscribed")
	put(t, b, "inbox/y.csv", "not under in/")
	p := newPoller(t, h, "in/", nil)
	require.Equal(t, []string{"in/a.csv", "in/c.csv"}, p.poll())
	require.Empty(t, p.poll(), "nothing new: nothing repeated")

	p.restart("in/")
	require.Empty(t, p.poll(), "a restart with the saved cursor repeats nothing")
	put(t, b, "in/b.csv", "b1") // arrives after c in time, before it in key order
	p.restart("in/")
	require.Equal(t, []string{"in/b.csv"}, p.poll(), "out-of-order keys are not missed")

	// A re-upload with new content is new; with the same content it is not.
	h.tick()
	put(t, b, "in/a.csv", "a2 - new content")
	put(t, b, "in/c.csv", "c1")
	p.restart("in/")
	require.Equal(t, []string{"in/a.csv"}, p.poll())
	require.Empty(t, p.poll())

	// Deletions are not deliveries; a key that comes back is.
	require.NoError(t, b.Delete(t.Context(), "in/b.csv"))
	require.Empty(t, p.poll())
	h.tick()
	put(t, b, "in/b.csv", "b2")
	p.restart("in/")
	require.Equal(t, []string{"in/b.csv"}, p.poll())

	// A poll whose cursor is not saved is repeated after a restart.
	put(t, b, "in/d.csv", "d1")
	objs, _, err := p.sub.Poll(t.Context(), p.cur)
	require.NoError(t, err)
	require.Equal(t, []string{"in/d.csv"}, keys(objs))
	p.restart("in/")
	require.Equal(t, []string{"in/d.csv"}, p.poll())
	require.Empty(t, p.poll())
}

func testSubscriptionFilters(t *testing.T, h *Harness) {
	b := open(t, h)
	for _, k := range []string{"in/2023-12.csv", "in/2024-01.csv", "in/2024-02.csv", "in/2024-02.json", "in/2024-03.csv", "in/sub/2024-01.csv"} {
		put(t, b, k, k)
	}
	p := newPoller(t, h, "in/", &storage.SubscriptionOptions{
		StartKey: "in/2024-01", EndKey: "in/2024-03", Pattern: `^[^/]*\.csv$`,
	})
	require.Equal(t, []string{"in/2024-01.csv", "in/2024-02.csv"}, p.poll())
	put(t, b, "in/2024-02-b.csv", "x")
	put(t, b, "in/2024-03-b.csv", "x") // past EndKey
	put(t, b, "in/2024-01.txt", "x")   // pattern mismatch
	require.Equal(t, []string{"in/2024-02-b.csv"}, p.poll())

	_, err := b.Subscribe("in/", &storage.SubscriptionOptions{Pattern: "("})
	require.Error(t, err)
	_, err = b.Subscribe("in/", &storage.SubscriptionOptions{StartKey: "b", EndKey: "a"})
	require.Error(t, err)
	_, err = b.Subscribe("/in/", nil)
	require.ErrorIs(t, err, storage.ErrInvalidKey)
}

func testSubscriptionSmallCursor(t *testing.T, h *Harness) {
	b := open(t, h)
	// Settle is tiny so that the horizon moves past each round's objects.
	settle := time.Millisecond
	p := newPoller(t, h, "feed/", &storage.SubscriptionOptions{Settle: settle})
	total := 0
	for round := range 4 {
		for i := range 10 {
			put(t, b, fmt.Sprintf("feed/r%d-%02d.csv", 3-round, i), "x") // keys arrive in falling order
		}
		total += 10
		got := p.poll()
		require.Len(t, got, 10, "round %d delivers exactly its new files", round)
		require.LessOrEqual(t, len(p.cur.Seen), 10, "the cursor holds at most the newest round")
		p.restart("feed/")
		require.Empty(t, p.poll(), "round %d: no repeats after restart", round)
		h.tick()
	}
	require.Len(t, listKeys(t, b, "feed/"), total)
	size, err := json.Marshal(p.cur)
	require.NoError(t, err)
	t.Logf("cursor after %d objects: %d bytes", total, len(size))

	// With Settle < 0 the cursor remembers every key: exact, and larger.
	all := newPoller(t, h, "feed/", &storage.SubscriptionOptions{Settle: -1})
	require.Len(t, all.poll(), total)
	require.Len(t, all.cur.Seen, total)
	require.True(t, all.cur.Horizon.IsZero())
}

func testSubscriptionLateArrival(t *testing.T, h *Harness) {
	b := open(t, h)
	p := newPoller(t, h, "in/", nil)
	// A slow upload starts first and finishes after a later file was polled.
	w, err := b.NewWriter(t.Context(), "in/slow.csv", nil)
	require.NoError(t, err)
	_, err = w.Write(make([]byte, 1000))
	require.NoError(t, err)
	h.tick()
	put(t, b, "in/fast.csv", "fast")
	require.Equal(t, []string{"in/fast.csv"}, p.poll())
	require.NoError(t, w.Close())
	p.restart("in/")
	require.Equal(t, []string{"in/slow.csv"}, p.poll(), "an object that appears late, within Settle, is delivered")
	require.Empty(t, p.poll())
}

func testSubscriptionBatches(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	sub, err := b.Subscribe("drop/", nil)
	require.NoError(t, err)
	sizes := map[string]int{"drop/a": 40, "drop/b": 30, "drop/c": 50, "drop/d": 10}
	for k, n := range sizes {
		put(t, b, k, string(make([]byte, n)))
	}
	var q storage.Queue
	fresh, err := sub.Refresh(ctx, &q)
	require.NoError(t, err)
	require.Len(t, fresh, 4)
	require.Equal(t, int64(130), q.UnconsumedBytes())

	// Batch by size: the smallest key-ordered run reaching 60 bytes is a+b.
	require.Nil(t, q.Reserve("too-big", 131), "130 bytes do not reach 131")
	batch := q.Reserve("batch-1", 60)
	require.Equal(t, []string{"drop/a", "drop/b"}, elementKeys(batch))
	for _, e := range batch {
		require.Equal(t, storage.Reserved, e.State)
	}
	q = restart(t, q) // the scheduler restarts while batch-1 runs

	b2 := open(t, h)
	sub2, err := b2.Subscribe("drop/", nil)
	require.NoError(t, err)
	put(t, b2, "drop/e", string(make([]byte, 5)))
	fresh, err = sub2.Refresh(ctx, &q)
	require.NoError(t, err)
	require.Equal(t, []string{"drop/e"}, keys(fresh), "the restored cursor delivers only the new file")
	require.Equal(t, []string{"drop/a", "drop/b"}, elementKeys(q.Batch("batch-1")))

	// The batch fails: its files go back to UNCONSUMED and are batched again.
	require.Equal(t, 2, q.Release("batch-1"))
	batch = q.Reserve("batch-2", 100)
	require.Equal(t, []string{"drop/a", "drop/b", "drop/c"}, elementKeys(batch))
	require.Equal(t, 3, q.Consume("batch-2"))
	require.Equal(t, []storage.StateStats{
		{State: storage.Unconsumed, Count: 2, Bytes: 15},
		{State: storage.Reserved},
		{State: storage.Assigned},
		{State: storage.Consumed, Count: 3, Bytes: 120},
	}, q.Stats())
	require.Nil(t, q.Reserve("batch-3", 16))
	require.Equal(t, 3, q.Compact())
	require.Len(t, q.Elements, 2)

	// A consumed file re-uploaded with new content is UNCONSUMED again.
	h.tick()
	put(t, b2, "drop/a", "new content for a")
	fresh, err = sub2.Refresh(ctx, &q)
	require.NoError(t, err)
	require.Equal(t, []string{"drop/a"}, keys(fresh))
	require.Equal(t, []string{"drop/a", "drop/d", "drop/e"}, elementKeys(q.Reserve("batch-3", 0)))
}

func elementKeys(es []storage.Element) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Key)
	}
	return out
}

// testSubscriptionMultipartReupload re-uploads a large object with new
// content of the same size. Real S3 reports no MD5 for multipart uploads
// (the ETag is "<md5 of part md5s>-<parts>"), so there the new modification
// time makes it new; gofakes3 reports the whole object's MD5. The no-MD5
// path is tested on its own with foreign files in a file:// bucket.
func testSubscriptionMultipartReupload(t *testing.T, h *Harness) {
	b := open(t, h)
	const size = 9 << 20 // above one 8 MiB S3 part
	p := newPoller(t, h, "big/", nil)
	_, err := b.Put(t.Context(), "big/blob.bin", newGenReader(size), nil)
	require.NoError(t, err)
	require.Equal(t, []string{"big/blob.bin"}, p.poll())
	require.Empty(t, p.poll())
	h.tick()
	g := newGenReader(size)
	g.rng.Seed([32]byte{'o', 't', 'h', 'e', 'r'})
	_, err = b.Put(t.Context(), "big/blob.bin", g, nil)
	require.NoError(t, err)
	p.restart("big/")
	require.Equal(t, []string{"big/blob.bin"}, p.poll(), "same size, new content")
	require.Empty(t, p.poll())
}
