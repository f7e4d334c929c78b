package input_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/datafactory/datafactory/input"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"
	_ "gocloud.dev/blob/s3blob" // registers s3:// as the CLI does
)

// TestS3Location reads a zipped CSV from an S3-protocol server through an
// s3:// URL, as the CLI does with the driver linked. Not parallel: the AWS
// SDK reads its credentials from the environment.
func TestS3Location(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-do-not-print")
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	require.NoError(t, backend.CreateBucket("exports"))
	data := zipped(t, [2]string{"sales.csv", csvText})
	_, err := backend.PutObject("exports", "2024/sales.zip", map[string]string{}, bytes.NewReader(data), int64(len(data)), nil)
	require.NoError(t, err)

	q := "?endpoint=" + srv.URL + "&use_path_style=true&region=us-east-1" +
		"&request_checksum_calculation=when_required&response_checksum_validation=when_required"
	in, err := input.Open(context.Background(), "s3://exports/2024/sales.zip"+q, nil)
	require.NoError(t, err)
	require.Equal(t, input.FormatZip, in.Format)
	require.Equal(t, csvText, readAll(t, in))
	require.NoError(t, in.Close())

	_, err = input.Open(context.Background(), "s3://exports/2024/nope.zip"+q, nil)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "test-secret-do-not-print")
	require.NotContains(t, err.Error(), "use_path_style", "the query is not repeated")
}
