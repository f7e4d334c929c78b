package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/datafactory/datafactory/avrobak/avrobakhttp"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ingesthttp"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/storage"
)

// api is the ingest API served in-process on a loopback port, and a client
// for it.
type api struct {
	base  string
	token string
	srv   *http.Server
	done  chan error
}

// startAPI serves the ingest API for the three tables, with their data
// dictionary, a random bearer token and the backup bucket, and the KPI
// views /view/req1 and /view/req2 beside it.
func startAPI(ctx context.Context, s *datastore.Store, bucket *storage.Bucket) (*api, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	reg := map[string]*frictionless.Schema{}
	for _, t := range tables() {
		reg[t.name] = t.schema
	}
	token := hex.EncodeToString(tok)
	ih, err := ingesthttp.New(ctx, s, &ingesthttp.Options{Tables: reg, Token: token})
	if err != nil {
		return nil, err
	}
	bh, err := avrobakhttp.New(s, &avrobakhttp.Options{Tables: reg, Bucket: bucket})
	if err != nil {
		return nil, err
	}
	h := http.NewServeMux()
	h.Handle("/v1/", ih)
	for _, p := range avrobakhttp.Patterns {
		h.Handle(p, bearer(token, bh))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h.Handle("/view/", viewHandler(s, token))
	a := &api{base: "http://" + ln.Addr().String(), token: token,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, done: make(chan error, 1)}
	go func() { a.done <- a.srv.Serve(ln) }()
	return a, nil
}

// bearer lets through requests carrying the token (the backup routes do no
// authentication of their own).
func bearer(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="migration"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Close shuts the server down.
func (a *api) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.srv.Shutdown(ctx)
	if serr := <-a.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// post sends a request and decodes the JSON answer into out.
func (a *api) post(ctx context.Context, path, ctype string, body []byte, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusUnprocessableEntity {
		return resp.StatusCode, fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(data))
	}
	return resp.StatusCode, json.Unmarshal(data, out)
}

// getViews fetches the KPI views from the API and prints how many lines
// each has.
func getViews(ctx context.Context, a *api, out io.Writer) error {
	fmt.Fprintln(out, "5. KPI views served by the API")
	for _, path := range []string{"/view/req1", "/view/req2"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+a.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var rows []map[string]any
		err = json.NewDecoder(resp.Body).Decode(&rows)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s: %v", path, resp.Status, err)
		}
		fmt.Fprintf(out, "   GET %s → %d: %d lines\n", path, resp.StatusCode, len(rows))
	}
	return nil
}

// ingestNewRecords posts each new_records file (headerless CSV) to its
// table's rows endpoint and prints what was inserted and rejected.
func ingestNewRecords(ctx context.Context, a *api, out io.Writer) error {
	fmt.Fprintf(out, "2. new records through the ingest API at %s\n", a.base)
	for _, t := range tables() {
		body, err := data.ReadFile("testdata/new_records/" + t.file)
		if err != nil {
			return err
		}
		var resp ingesthttp.RowsResponse
		code, err := a.post(ctx, "/v1/tables/"+t.name+"/rows", "text/csv; header=absent", body, &resp)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "   POST /v1/tables/%s/rows → %d: %d inserted, %d rejected\n", t.name, code, resp.Inserted, resp.Rejected)
		for _, r := range resp.Rows {
			if !r.Inserted {
				fmt.Fprintf(out, "      row %d rejected: field %s = %q: %s (logged in %s)\n",
					r.Row, r.Field, r.Value, r.Reason, datastore.RejectsTableName(t.name))
			}
		}
	}
	return nil
}
