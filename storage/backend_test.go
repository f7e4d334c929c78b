package storage_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
	_ "gocloud.dev/blob/s3blob" // registers s3:// for TestOpenS3URL

	"github.com/datafactory/datafactory/storage"
)

// TestOpenS3URL opens an S3-compatible server through an s3:// URL with a
// custom endpoint, as the CLI does once it imports s3blob.
func TestOpenS3URL(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-do-not-print")
	_, name := newS3Bucket(t)
	url := "s3://" + name + "?endpoint=" + s3URL + "&use_path_style=true&region=us-east-1" +
		"&request_checksum_calculation=when_required&response_checksum_validation=when_required"
	b, err := storage.Open(t.Context(), url)
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, b.Run("dag", "run").Task("t").PutJSON(t.Context(), "x.json", []int{1, 2}))
	var got []int
	require.NoError(t, b.Run("dag", "run").Task("t").GetJSON(t.Context(), "x.json", &got))
	require.Equal(t, []int{1, 2}, got)

	// The object is really on the server, where another client sees it.
	out, err := s3Client(t).HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String("dag/run/t/x.json")})
	require.NoError(t, err)
	require.Positive(t, aws.ToInt64(out.ContentLength))

	// Open errors do not leak query parameters.
	_, err = storage.Open(t.Context(), "nosuch://bucket?secret=hunter2")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2")
}

// TestSubscriptionForeignFiles covers files dropped into a file:// bucket by
// other programs: no MD5 is known, so size and modification time decide.
func TestSubscriptionForeignFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := storage.Open(t.Context(), "file://"+dir)
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "in"), 0o755))
	path := filepath.Join(dir, "in", "x.csv")
	write := func(content string, mod time.Time) {
		require.NoError(t, os.WriteFile(path+".tmp", []byte(content), 0o644))
		require.NoError(t, os.Chtimes(path+".tmp", mod, mod))
		require.NoError(t, os.Rename(path+".tmp", path))
	}
	now := time.Now()
	sub, err := b.Subscribe("in/", &storage.SubscriptionOptions{Pattern: `\.csv$`, Now: func() time.Time { return now }})
	require.NoError(t, err)
	var cur storage.Cursor
	poll := func() []string {
		objs, next, err := sub.Poll(t.Context(), cur)
		require.NoError(t, err)
		cur = next
		return keysOf(objs)
	}
	write("v1", now.Add(-time.Minute))
	require.Equal(t, []string{"in/x.csv"}, poll())
	require.Empty(t, poll())
	write("v2", now.Add(-30*time.Second)) // same size, new time: new content
	require.Equal(t, []string{"in/x.csv"}, poll())

	// A file stamped in the future does not push the horizon past files
	// that arrive later with correct times.
	future := filepath.Join(dir, "in", "future.csv")
	require.NoError(t, os.WriteFile(future, []byte("f"), 0o644))
	require.NoError(t, os.Chtimes(future, now.Add(48*time.Hour), now.Add(48*time.Hour)))
	require.Equal(t, []string{"in/future.csv"}, poll())
	require.NoError(t, b.WriteAll(t.Context(), "in/later.csv", []byte("l"), nil))
	require.Equal(t, []string{"in/later.csv"}, poll())

	// The documented limit: a file that appears with a modification time
	// older than the horizon (newest - Settle) is taken as already seen.
	old := filepath.Join(dir, "in", "old.csv")
	require.NoError(t, os.WriteFile(old, []byte("o"), 0o644))
	require.NoError(t, os.Chtimes(old, now.Add(-2*storage.DefaultSettle), now.Add(-2*storage.DefaultSettle)))
	require.Empty(t, poll())
	// With Settle < 0 nothing is ever taken as seen by age.
	exact, err := b.Subscribe("in/", &storage.SubscriptionOptions{Settle: -1})
	require.NoError(t, err)
	objs, _, err := exact.Poll(t.Context(), storage.Cursor{})
	require.NoError(t, err)
	require.Contains(t, keysOf(objs), "in/old.csv")
}

func TestErrorsWrapOnce(t *testing.T) {
	t.Parallel()
	b, err := storage.Open(t.Context(), "mem://")
	require.NoError(t, err)
	_, err = b.ReadAll(t.Context(), "nope")
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.Equal(t, 1, countPrefix(err.Error(), "storage:"), err.Error())
	require.NoError(t, b.Close())
	require.ErrorIs(t, b.Close(), storage.ErrClosed)
	_, err = b.ReadAll(t.Context(), "nope")
	require.Error(t, err, "a closed bucket fails")
	require.NotErrorIs(t, err, storage.ErrNotFound)
}

func countPrefix(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}

func keysOf(objs []storage.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}
