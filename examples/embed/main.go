// Command embed is a host's own web service built on datafactory: its own
// mux mounts the runs, status and ingest APIs; a custom task type
// (count_rows, task.go) sits beside the built-ins; a pipeline is triggered
// over HTTP and polled to success. All on the embedded defaults in a
// temporary directory.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/datafactory/datafactory/service"
)

const spec = `{"name": "people", "tasks": [
  {"name": "load", "type": "load", "params": {"source": "people.csv", "target": "default", "mode": "replace"}},
  {"name": "count", "type": "count_rows", "params": {"table": "people"}, "depends_on": ["load"]}]}`

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	dir, err := os.MkdirTemp("", "datafactory-embed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	e, err := connection.OpenEmbedded(ctx, dir)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := os.WriteFile(filepath.Join(dir, "files", "people.csv"), []byte("id,name\n1,Ada\n2,Grace\n"), 0o600); err != nil {
		return err
	}
	reg := pipeline.NewRegistry()
	if err := tasks.Register(reg, &tasks.Options{Connections: e.Connections}); err != nil {
		return err
	}
	if err := reg.Register(countRows(e.Store)); err != nil {
		return err
	}
	p, err := reg.Load([]byte(spec))
	if err != nil {
		return err
	}
	notes := &frictionless.Schema{Fields: []frictionless.Field{{Name: "text", Type: frictionless.TypeString}}}
	svc, err := service.New(ctx, &service.Config{Status: e.Status, Store: e.Store, Bucket: e.Bucket,
		Pipelines: []pipelinehttp.DAG{{Pipeline: p}}, Tables: map[string]*frictionless.Schema{"notes": notes},
		AllowUnauthenticated: true}) // the host puts its own auth in front of its mux
	if err != nil {
		return err
	}
	defer svc.Stop()
	mux := http.NewServeMux()
	svc.Runs().Register(mux, nil)
	mux.Handle("/status/", svc.StatusAPI())
	mux.Handle("/v1/tables/", svc.IngestAPI())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r, err := post(srv.URL+"/v1/pipelines/people/runs", `{"conf": {}}`)
	for deadline := time.Now().Add(30 * time.Second); err == nil && r.Status != "DONE"; {
		if r.Status == "FAILED" || r.Status == "CANCELLED" || time.Now().After(deadline) {
			return fmt.Errorf("run %s: %s", r.RunID, r.Status)
		}
		time.Sleep(20 * time.Millisecond)
		r, err = get(srv.URL + "/v1/pipelines/people/runs/" + r.RunID)
	}
	if err != nil {
		return err
	}
	n, err := e.Store.CountRows(ctx, "people")
	fmt.Fprintf(out, "run %s: %s, people has %d rows\n", r.RunID, r.Status, n)
	return err
}
