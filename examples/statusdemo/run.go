package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/status/statuscli"
	"github.com/datafactory/datafactory/status/statushttp"
)

// upload is the file a user "uploaded"; two rows are invalid.
const upload = "id,name,born\n1,Ada,1815-12-10\n2,Grace,1906-12-09\n3,,1912-06-23\n4,Linus,not a date\n"

// run is the whole demo; main and the test call it.
func run(ctx context.Context, out io.Writer) error {
	dir, err := os.MkdirTemp("", "datafactory-statusdemo-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := sqlstatus.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(dir, "status.db")), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	token := randomToken()
	base, stopServer, err := serve(statushttp.NewHandler(store, &statushttp.HandlerOptions{Tokens: []string{token}}))
	if err != nil {
		return err
	}
	defer stopServer()
	fmt.Fprintf(out, "status API on %s\n", base)

	// the worker reports through the HTTP API, as a task in another container would
	client, err := statushttp.NewClient(base, &statushttp.ClientOptions{Token: token})
	if err != nil {
		return err
	}
	defer client.Close()
	okTrace, err := process(ctx, client, "uploads/people/2026-11-22/people.csv", upload, false)
	if err != nil {
		return err
	}
	failedTrace, err := process(ctx, client, "uploads/people/2026-11-22/broken.csv", upload, true)
	if err != nil {
		return err
	}
	if err := lookupByPath(ctx, base, token, "uploads/people/2026-11-22/people.csv", out); err != nil {
		return err
	}
	return showWithCLI(ctx, base, token, []string{okTrace, failedTrace}, out)
}

// process runs the steps of one upload, each wrapped by the recorder: exactly
// one event per step, FAILED/FINISHED with the error when a step fails.
func process(ctx context.Context, st *status.Store, path, data string, breakLoad bool) (string, error) {
	start, err := st.StartTrace(ctx, status.Event{Domain: "dataset", DomainID: "people/1", Component: "statusdemo",
		Operation: "upload", S3Path: path, User: "demo-user"})
	if err != nil {
		return "", err
	}
	// only the first event names the file, so status-from-path finds exactly one
	rec := status.NewRecorder(st, start.TraceID, &status.RecorderOptions{Domain: "dataset", DomainID: "people/1",
		Component: "statusdemo"})
	var valid int
	err = rec.Wrap(ctx, "validate", func(ctx context.Context, step *status.Step) error {
		n, bad, err := validate(data)
		step.Set("rows", n)
		step.Set("invalid_rows", len(bad))
		for _, b := range bad {
			step.AddError(map[string]string{"en": b, "nb": "Ugyldig rad: " + b})
		}
		valid = n - len(bad)
		return err
	})
	if err != nil {
		return start.TraceID, nil
	}
	_ = rec.Wrap(ctx, "load", func(ctx context.Context, step *status.Step) error {
		step.SetTraceStatus(status.TraceFinished)
		if breakLoad {
			step.AddError(map[string]string{"en": "The data could not be loaded; try again later.",
				"nb": "Dataene kunne ikke lastes; prøv igjen senere."})
			return errors.New("database unavailable: connection refused")
		}
		step.Set("rows_written", valid)
		return nil
	})
	return start.TraceID, nil
}

// validate checks the upload against its Table Schema and returns the rows
// read and one message per invalid row.
func validate(data string) (int, []string, error) {
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "name", Type: frictionless.TypeString, Constraints: frictionless.Constraints{Required: true}},
		{Name: "born", Type: frictionless.TypeDate},
	}}
	r, err := frictionless.NewReader(strings.NewReader(data), schema, nil)
	if err != nil {
		return 0, nil, err
	}
	var bad []string
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		var re *frictionless.RowError
		if errors.As(err, &re) {
			bad = append(bad, re.Error())
		} else if err != nil {
			return 0, nil, err
		}
	}
	return int(r.Stats().Rows), bad, nil
}

// lookupByPath asks the API which trace an uploaded file belongs to.
func lookupByPath(ctx context.Context, base, token, path string, out io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		base+"/status-from-path/"+base64.StdEncoding.EncodeToString([]byte(path)), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var v struct {
		TraceID string `json:"trace_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nGET /status-from-path/<base64 %q> → %d, trace %s\n", path, resp.StatusCode, v.TraceID)
	return nil
}

// showWithCLI prints each trace's summary and history as `datafactory
// status` does (package statuscli), reading the status service over HTTP.
func showWithCLI(ctx context.Context, base, token string, traces []string, out io.Writer) error {
	client, err := statushttp.NewClient(base, &statushttp.ClientOptions{Token: token})
	if err != nil {
		return err
	}
	defer client.Close()
	for _, id := range traces {
		for _, history := range []bool{false, true} {
			args := "status " + id
			if history {
				args += " --history"
			}
			fmt.Fprintf(out, "\n$ datafactory %s --status %s\n", args, base)
			if err := statuscli.Run(ctx, out, client, id, &statuscli.Options{History: history}); err != nil {
				return fmt.Errorf("datafactory %s: %w", args, err)
			}
		}
	}
	return nil
}

// serve serves h on a loopback port.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
