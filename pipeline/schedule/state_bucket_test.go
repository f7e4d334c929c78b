package schedule_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinetest"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/storage"
)

func TestBucketStateStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	st, err := schedule.NewBucketStateStore(h.Bucket, "_scheduler")
	require.NoError(t, err)
	v, err := st.Get(ctx, "cron/x")
	require.NoError(t, err)
	require.Nil(t, v)
	require.NoError(t, st.Put(ctx, "cron/x", []byte(`{"next":"2019-08-01T00:00:00Z"}`)))
	v, err = st.Get(ctx, "cron/x")
	require.NoError(t, err)
	require.JSONEq(t, `{"next":"2019-08-01T00:00:00Z"}`, string(v))
	ok, err := h.Bucket.Exists(ctx, "_scheduler/cron/x.json")
	require.NoError(t, err)
	require.True(t, ok)
	_, err = schedule.NewBucketStateStore(h.Bucket, "../up")
	require.Error(t, err)
}

// TestFilesTriggerOnStorageSubscription runs the new-files trigger on a
// real storage subscription with its state in the bucket, across a
// restart: every uploaded file is handed to exactly one successful run.
func TestFilesTriggerOnStorageSubscription(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := pipelinetest.New(t)
	sub, err := h.Bucket.Subscribe("incoming/", nil)
	require.NoError(t, err)
	state, err := schedule.NewBucketStateStore(h.Bucket, "_scheduler")
	require.NoError(t, err)
	log := &runLog{}
	mk := func() *schedule.Scheduler {
		s := schedule.New(&schedule.Options{Synchronous: true, State: state, Clock: h.Clock,
			RunOptions: func(string) *pipeline.RunOptions { return h.RunOptions("") }})
		t.Cleanup(s.Stop)
		require.NoError(t, s.AddPipeline(onePipeline(t, "ingest", log.task(nil)), nil))
		require.NoError(t, s.AddTrigger("new-files", schedule.FilesTrigger{Source: schedule.SubscriptionSource{Subscription: sub}, Threshold: 10}, "ingest"))
		return s
	}
	put := func(key, content string) {
		require.NoError(t, h.Bucket.WriteAll(ctx, key, []byte(content), nil))
	}
	s := mk()
	put("incoming/a.csv", "12345")
	require.NoError(t, s.Tick(ctx))
	require.Zero(t, log.count("ingest"))
	put("incoming/b.csv", "123456")
	put("other/x.csv", "1234567890123")
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, 1, log.count("ingest"))
	require.NoError(t, s.Recover(ctx))

	s.Stop() // restart
	s = mk()
	require.NoError(t, s.Recover(ctx))
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, 1, log.count("ingest"), "nothing new, nothing replayed")
	put("incoming/c.csv", "1234567890")
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, 2, log.count("ingest"))

	var got []string
	for _, files := range log.files {
		var keys []string
		for _, f := range files {
			keys = append(keys, f.Key)
		}
		got = append(got, strings.Join(keys, ","))
	}
	require.Equal(t, []string{"incoming/a.csv,incoming/b.csv", "incoming/c.csv"}, got)
	els, err := s.Files(ctx, "new-files")
	require.NoError(t, err)
	require.Len(t, els, 3)
	for _, e := range els {
		require.Equal(t, storage.Consumed, e.State, e.Key)
	}
}
