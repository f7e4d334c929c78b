package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/storage"
)

// Sizes of the demo.
const (
	companies = 1200
	pageSize  = 250
	months    = 6
)

// result is what the demo observed, for its test.
type result struct {
	firstSync, secondSync pipeline.State
	rowsAfterFirst        int64
	rowsAfterSecond       int64
	viewRows              map[string]int64
}

// run is the whole demo; main and the test call it.
func run(ctx context.Context, out io.Writer) error {
	_, err := demo(ctx, out)
	return err
}

func demo(ctx context.Context, out io.Writer) (*result, error) {
	dir, err := os.MkdirTemp("", "datafactory-apisync-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	dbURL := "sqlite://" + filepath.ToSlash(filepath.Join(dir, "warehouse.db"))
	store, err := sqlstore.Open(ctx, dbURL, nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	st, err := sqlstatus.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(dir, "status.db")), nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := os.Mkdir(filepath.Join(dir, "runs"), 0o755); err != nil {
		return nil, err
	}
	bucket, err := storage.Open(ctx, "file://"+filepath.ToSlash(filepath.Join(dir, "runs")))
	if err != nil {
		return nil, err
	}
	defer bucket.Close()
	be := pipeline.NewBackend(&pipeline.BackendOptions{Storage: bucket, Status: st})

	creds := hawk.Credentials{ID: "datafactory-demo", Key: randomKey()}
	now := time.Now().UTC()
	api := newSourceAPI(creds, companies, pageSize, now)
	if err := api.start(); err != nil {
		return nil, err
	}
	defer api.stop()
	fmt.Fprintf(out, "source API (Hawk both ways): %s, %d companies in pages of %d\n", api.firstPage(), companies, pageSize)

	res := &result{}
	r, err := registry(dbURL, api.base, creds)
	if err != nil {
		return nil, err
	}
	_, p, err := loadSpec(r, "companies_sync", map[string]string{"API_URL": api.base})
	if err != nil {
		return nil, err
	}
	var conf []byte
	fmt.Fprintln(out, "\n1. sync")
	if res.firstSync, res.rowsAfterFirst, err = syncOnce(ctx, p, conf, be, store, out); err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "\n2. sync against an API whose page 3 has a forged Server-Authorization")
	api.forge.Store(3)
	if res.secondSync, res.rowsAfterSecond, err = syncOnce(ctx, p, conf, be, store, out); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "   %s unchanged: %d rows\n", target, res.rowsAfterSecond)

	fmt.Fprintf(out, "\n3. monthly views, catching up %d finished months\n", months)
	views, err := catchUpViews(ctx, r, be, pipeline.SystemClock{}, months)
	if err != nil {
		return nil, err
	}
	if res.viewRows, err = countViews(ctx, store, views, out); err != nil {
		return nil, err
	}
	return res, nil
}

// syncOnce runs the sync pipeline and prints its tasks; a failed run is not
// an error of the demo.
func syncOnce(ctx context.Context, p *pipeline.Pipeline, conf []byte, be *pipeline.Backend,
	store *datastore.Store, out io.Writer) (pipeline.State, int64, error) {
	sum, runErr := pipeline.Run(ctx, p, conf, &pipeline.RunOptions{Backend: be})
	if sum == nil {
		return "", 0, runErr
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, t := range sum.Tasks {
		msg := ""
		if t.Err != nil {
			msg = t.Err.Error()
		}
		fmt.Fprintf(tw, "   %s\t%s\t%s\n", t.Name, t.State, msg)
	}
	_ = tw.Flush()
	n, err := countRows(ctx, store, target)
	if err != nil {
		return "", 0, err
	}
	fmt.Fprintf(out, "   run %s: %s; %s has %d rows\n", sum.RunID, sum.State, target, n)
	return sum.State, n, nil
}

// countRows counts a table's or view's rows through the store.
func countRows(ctx context.Context, store *datastore.Store, table string) (int64, error) {
	var n int64
	_, err := store.ReadRows(ctx, table, func(frictionless.Row) error { n++; return nil })
	return n, err
}

// countViews queries every view (a missing one is an error) and prints its
// row count.
func countViews(ctx context.Context, store *datastore.Store, views []string, out io.Writer) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, v := range views {
		n, err := countRows(ctx, store, v)
		if err != nil {
			return nil, fmt.Errorf("view %s: %w", v, err)
		}
		counts[v] = n
		fmt.Fprintf(out, "   %s: %d companies\n", v, n)
	}
	return counts, nil
}

func randomKey() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
