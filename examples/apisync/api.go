package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/datafactory/datafactory/httpsource/hawk"
)

// company is one record of the source API, with the flat keys Data Hub's
// /v4/dataset endpoints emit.
type company struct {
	ID        int64   `json:"id"`
	Name      string  `json:"company__name"`
	Sector    string  `json:"sector"`
	CreatedOn string  `json:"created_on"`
	Turnover  float64 `json:"turnover"`
}

// sourceAPI serves the companies dataset in pages, Hawk-authenticated both
// ways: requests must be signed, responses carry Server-Authorization.
type sourceAPI struct {
	creds    hawk.Credentials
	rows     []company
	pageSize int
	forge    atomic.Int32 // page number whose response signature is forged; 0: none
	base     string
	srv      *http.Server
}

var sectors = []string{"Energy", "Retail", "Software", "Transport", "Finance"}

// newSourceAPI generates n companies created over the months before now.
func newSourceAPI(creds hawk.Credentials, n, pageSize int, now time.Time) *sourceAPI {
	a := &sourceAPI{creds: creds, pageSize: pageSize}
	for i := 1; i <= n; i++ {
		created := now.AddDate(0, 0, -(i*7)%240) // spread over about eight months
		a.rows = append(a.rows, company{ID: int64(i), Name: fmt.Sprintf("Company %04d Ltd", i),
			Sector: sectors[i%len(sectors)], CreatedOn: created.Format("2006-01-02"), Turnover: float64(i%97) * 1250.5})
	}
	return a
}

// start serves the API on a loopback port.
func (a *sourceAPI) start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	a.base = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v4/dataset/companies-dataset", a.page)
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return nil
}

func (a *sourceAPI) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.srv.Shutdown(ctx)
}

// firstPage is the URL a sync starts from.
func (a *sourceAPI) firstPage() string { return a.base + "/v4/dataset/companies-dataset" }

func (a *sourceAPI) page(w http.ResponseWriter, r *http.Request) {
	v := hawk.Verifier{Lookup: func(id string) (hawk.Credentials, bool) { return a.creds, id == a.creds.ID }}
	art, _, err := v.Verify(r, nil)
	if err != nil {
		http.Error(w, "hawk: "+err.Error(), http.StatusUnauthorized)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if n < 1 {
		n = 1
	}
	lo := (n - 1) * a.pageSize
	hi := min(lo+a.pageSize, len(a.rows))
	body := struct {
		Results []company `json:"results"`
		Next    *string   `json:"next"`
	}{Results: a.rows[min(lo, hi):hi]}
	if hi < len(a.rows) {
		next := fmt.Sprintf("%s?page=%d", a.firstPage(), n+1)
		body.Next = &next
	}
	data, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	signWith := a.creds
	if int(a.forge.Load()) == n {
		signWith = hawk.Credentials{ID: a.creds.ID, Key: "not-the-shared-key"}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Server-Authorization", hawk.ResponseHeader(signWith, art, "application/json", data, ""))
	_, _ = w.Write(data)
}
