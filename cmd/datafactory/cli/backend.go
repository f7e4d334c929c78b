package cli

import (
	"context"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
	"github.com/spf13/cobra"
)

// EnvBucketURL is the bucket of pipeline runs (task files, outputs, run
// records), e.g. file:///var/lib/datafactory or s3://bucket?region=….
const EnvBucketURL = "DATAFACTORY_BUCKET_URL"

// bucketFlag registers --bucket on cmd.
func bucketFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "bucket", "", "bucket for run files and outputs (default $"+EnvBucketURL+")")
}

// backend builds the pipeline backend from --status and --bucket (or the
// environment); either may be absent. close releases what it opened.
func (m *Main) backend(ctx context.Context, statusArg, bucketArg string) (be *pipeline.Backend, close func(), err error) {
	var (
		st *status.Store
		b  *storage.Bucket
	)
	close = func() {
		if st != nil {
			st.Close()
		}
		if b != nil {
			b.Close()
		}
	}
	if statusArg != "" || m.Getenv(EnvStatusURL) != "" {
		if st, err = m.openStatus(ctx, statusArg); err != nil {
			return nil, close, err
		}
	}
	if bucketArg == "" {
		bucketArg = m.Getenv(EnvBucketURL)
	}
	if bucketArg != "" {
		if b, err = openBucket(ctx, bucketArg); err != nil {
			close()
			return nil, func() {}, err
		}
	}
	return pipeline.NewBackend(&pipeline.BackendOptions{Status: st, Storage: b}), close, nil
}
