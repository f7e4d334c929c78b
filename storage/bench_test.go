package storage_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

// BenchmarkPoll lists a prefix of 10,000 objects per poll with nothing new,
// the steady state of a subscription; it reports objects scanned per second.
func BenchmarkPoll(b *testing.B) {
	for _, url := range []string{"mem://", "file://" + b.TempDir()} {
		b.Run(url[:4], func(b *testing.B) {
			ctx := b.Context()
			bucket, err := storage.Open(ctx, url)
			require.NoError(b, err)
			defer bucket.Close()
			const n = 10_000
			for i := range n {
				require.NoError(b, bucket.WriteAll(ctx, fmt.Sprintf("in/%05d.csv", i), []byte("x"), nil))
			}
			sub, err := bucket.Subscribe("in/", nil)
			require.NoError(b, err)
			objs, cur, err := sub.Poll(ctx, storage.Cursor{})
			require.NoError(b, err)
			require.Len(b, objs, n)
			b.ResetTimer()
			for b.Loop() {
				objs, _, err := sub.Poll(ctx, cur)
				require.NoError(b, err)
				require.Empty(b, objs)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// BenchmarkPutGet writes and reads back a 16 MiB object; it reports MiB/s
// for the round trip.
func BenchmarkPutGet(b *testing.B) {
	const size = 16 << 20
	data := bytes.Repeat([]byte("datafactory-"), size/12+1)[:size]
	for _, url := range []string{"mem://", "file://" + b.TempDir()} {
		b.Run(url[:4], func(b *testing.B) {
			ctx := b.Context()
			bucket, err := storage.Open(ctx, url)
			require.NoError(b, err)
			defer bucket.Close()
			b.SetBytes(size)
			for b.Loop() {
				_, err := bucket.Put(ctx, "bench/obj", bytes.NewReader(data), nil)
				require.NoError(b, err)
				n, err := bucket.Get(ctx, "bench/obj", io.Discard)
				require.NoError(b, err)
				require.Equal(b, int64(size), n)
			}
			b.ReportMetric(float64(size)*float64(b.N)/(1<<20)/b.Elapsed().Seconds(), "MiB/s")
		})
	}
}
