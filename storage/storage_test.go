package storage_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/blob/s3blob"

	"github.com/datafactory/datafactory/storage"
	"github.com/datafactory/datafactory/storage/storagetest"
)

// s3ServerEnv makes the test binary serve gofakes3 instead of running tests.
const s3ServerEnv = "DATAFACTORY_STORAGE_TEST_S3_SERVER"

// s3URL is the endpoint of the gofakes3 server; set once in TestMain.
var s3URL string

// TestMain runs the gofakes3 server in a child process (this same binary),
// so that the streaming test's heap measurements cover the client only and
// not the fake server's in-memory copy of the object.
func TestMain(m *testing.M) {
	if os.Getenv(s3ServerEnv) == "1" {
		serveS3()
		return
	}
	stop, err := startS3Server()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start gofakes3:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// serveS3 serves gofakes3 from httptest until stdin closes.
func serveS3() {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	fmt.Println(srv.URL)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	srv.Close()
}

func startS3Server() (stop func(), err error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), s3ServerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("read server address: %w", err)
	}
	s3URL = strings.TrimSpace(line)
	return func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	}, nil
}

// s3Client returns an AWS SDK v2 client for the gofakes3 endpoint.
func s3Client(t *testing.T) *s3.Client {
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test-key", "test-secret", "")),
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	)
	require.NoError(t, err)
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s3URL)
		o.UsePathStyle = true
	})
}

var bucketSeq atomic.Int64

// newS3Bucket creates a fresh bucket on the gofakes3 server.
func newS3Bucket(t *testing.T) (*s3.Client, string) {
	client := s3Client(t)
	name := fmt.Sprintf("test-%d", bucketSeq.Add(1))
	_, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err)
	return client, name
}

func s3Harness(t *testing.T) *storagetest.Harness {
	client, name := newS3Bucket(t)
	return &storagetest.Harness{
		// The transfer manager pools 6 parts of 8 MiB; requests in flight
		// add up to about 20 MiB more (measured: 65-68 MiB for 48-400 MiB).
		WriteBuffer: 64 << 20,
		Open: func(ctx context.Context) (*storage.Bucket, error) {
			b, err := s3blob.OpenBucket(ctx, client, name, &s3blob.Options{
				RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
			})
			if err != nil {
				return nil, err
			}
			t.Cleanup(func() { _ = b.Close() })
			return storage.New(b), nil
		},
		Leftovers: func(ctx context.Context) ([]string, error) {
			out, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(name)})
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload" {
				return nil, nil // gofakes3's answer for a bucket without uploads
			}
			if err != nil {
				return nil, err
			}
			var left []string
			for _, u := range out.Uploads {
				left = append(left, aws.ToString(u.Key)+" (upload "+aws.ToString(u.UploadId)+")")
			}
			return left, nil
		},
	}
}

func fileHarness(t *testing.T) *storagetest.Harness {
	dir := t.TempDir()
	return &storagetest.Harness{
		Open: func(ctx context.Context) (*storage.Bucket, error) {
			b, err := storage.Open(ctx, "file://"+dir)
			if err == nil {
				t.Cleanup(func() { _ = b.Close() })
			}
			return b, err
		},
	}
}

func memHarness(t *testing.T) *storagetest.Harness {
	// mem:// opens a new empty bucket each time, so a "restart" is a new
	// storage.Bucket around the same memblob bucket.
	shared := memblob.OpenBucket(nil)
	t.Cleanup(func() { _ = shared.Close() })
	return &storagetest.Harness{
		InMemory: true,
		Open: func(context.Context) (*storage.Bucket, error) {
			return storage.New(shared), nil
		},
	}
}

func TestConformanceFile(t *testing.T) { storagetest.RunConformanceTests(t, fileHarness) }

func TestConformanceMem(t *testing.T) { storagetest.RunConformanceTests(t, memHarness) }

func TestConformanceS3(t *testing.T) { storagetest.RunConformanceTests(t, s3Harness) }
