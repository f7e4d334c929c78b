package tasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
	"github.com/stretchr/testify/require"
)

var companiesCreds = hawk.Credentials{ID: "dataflow", Key: "hawk-key-7f3e9a1c5b2d4f60"}

// hawkCompanies is data-flow's companies API behind Hawk: it verifies
// every request (MAC, timestamp, no replayed nonce) and signs every
// response. fault, at page faultPage, is "tamper" (the body changed after
// signing), "500", "malformed" (a truncated JSON body) or "429" (once, with
// Retry-After: 1).
type hawkCompanies struct {
	n        int
	verifier *hawk.Verifier
	srv      *httptest.Server

	mu                 sync.Mutex
	fault              string
	faultPage          int
	verified, refused  int
	throttled, resumed time.Time
}

func newHawkCompanies(t *testing.T, n int) *hawkCompanies {
	h := &hawkCompanies{n: n, verifier: &hawk.Verifier{Nonces: &hawk.NonceCache{},
		Lookup: func(id string) (hawk.Credentials, bool) { return companiesCreds, id == companiesCreds.ID }}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hawkCompanies) setFault(fault string, page int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fault, h.faultPage = fault, page
}

func (h *hawkCompanies) serve(w http.ResponseWriter, r *http.Request) {
	art, _, err := h.verifier.Verify(r, nil)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.refused++
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	h.verified++
	page := max(1, atoi(r.URL.Query().Get("page")))
	fault := ""
	if page == h.faultPage {
		fault = h.fault
	}
	switch {
	case fault == "500":
		h.write(w, art, http.StatusInternalServerError, []byte(`{"error": "boom"}`), false)
	case fault == "malformed":
		h.write(w, art, http.StatusOK, []byte(`{"results": [{"id": 1, "company__name": "c`), false)
	case fault == "429" && h.throttled.IsZero():
		h.throttled = time.Now()
		w.Header().Set("Retry-After", "1")
		h.write(w, art, http.StatusTooManyRequests, []byte(`{"error": "slow down"}`), false)
	default:
		if fault == "429" && h.resumed.IsZero() {
			h.resumed = time.Now()
		}
		h.write(w, art, http.StatusOK, h.page(page), fault == "tamper")
	}
}

// page is page p of 10 records, with its next link.
func (h *hawkCompanies) page(p int) []byte {
	var recs []string
	for i := (p - 1) * 10; i < min(p*10, h.n); i++ {
		recs = append(recs, fmt.Sprintf(`{"id": %d, "company__name": "c%d", "sector": ""}`, i+1, i+1))
	}
	next := "null"
	if p*10 < h.n {
		next = strconv.Quote(h.srv.URL + "/companies?page=" + strconv.Itoa(p+1))
	}
	return []byte(`{"results": [` + strings.Join(recs, ",") + `], "next": ` + next + `}`)
}

// write signs body for the request art and sends it, changed after
// signing when tamper.
func (h *hawkCompanies) write(w http.ResponseWriter, art *hawk.Artifacts, status int, body []byte, tamper bool) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Server-Authorization", hawk.ResponseHeader(companiesCreds, art, "application/json", body, ""))
	if tamper {
		body = bytes.Replace(body, []byte(`"c`), []byte(`"X`), 1)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// run runs a one-task http_to_table pipeline syncing h into "companies"
// (replace) with the Hawk credential "api".
func (h *hawkCompanies) run(t *testing.T, b *bundle) (*pipeline.Summary, error) {
	t.Helper()
	r := pipeline.NewRegistry()
	require.NoError(t, tasks.Register(r, &tasks.Options{Connections: b.conns,
		HTTPAuth:   map[string]tasks.HTTPAuth{"api": {Origin: h.srv.URL, Auth: httpsource.Hawk{Credentials: companiesCreds}}},
		HTTPSource: &httpsource.Options{RetryMax: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond}}))
	p, err := r.Load([]byte(httpSpec(syncParams(h.srv.URL, "replace"))))
	require.NoError(t, err)
	return pipeline.Run(context.Background(), p, nil, &pipeline.RunOptions{Backend: b.be})
}

// TestHTTPToTableHawkFailures: against a Hawk API that checks every request
// and signs every response, a sync succeeds; then a tampered response, a
// 500 mid-way (after the retries) and a malformed page each fail the task
// with an error naming the page (the malformed one its URL), leave the
// target with its old rows, and put the Hawk key in neither the error nor
// the run's status events.
func TestHTTPToTableHawkFailures(t *testing.T) {
	t.Parallel()
	b := setup(t)
	h := newHawkCompanies(t, 25)
	sum, err := h.run(t, b)
	require.NoError(t, err, sum)
	require.Equal(t, 25, b.count(t, "companies"))

	h.mu.Lock()
	h.n = 40 // a later sync would bring 40 rows: none of them may land
	h.mu.Unlock()
	for _, tt := range []struct {
		fault string
		page  int
		is    error
		want  string
	}{
		{"tamper", 2, hawk.ErrBadHash, "page 2"},
		{"500", 3, httpsource.ErrStatus, "page 3 (" + h.srv.URL + "/companies?page=3)"},
		{"malformed", 2, httpsource.ErrMalformedPage, "page 2 (" + h.srv.URL + "/companies?page=2)"},
	} {
		h.setFault(tt.fault, tt.page)
		sum, err := h.run(t, b)
		require.ErrorIs(t, err, pipeline.ErrRunFailed, tt.fault)
		require.ErrorIs(t, sum.Tasks[0].Err, tt.is, tt.fault)
		msg := taskErr(t, sum)
		require.Contains(t, msg, tt.want, tt.fault)
		require.NotContains(t, msg, companiesCreds.Key, tt.fault)
		require.Equal(t, 25, b.count(t, "companies"), "%s: the old rows stay", tt.fault)

		events, err := b.st.Events(context.Background(), sum.RunID)
		require.NoError(t, err)
		all, err := json.Marshal(events)
		require.NoError(t, err)
		require.Contains(t, string(all), "page "+strconv.Itoa(tt.page), "%s: the failure is in the events", tt.fault)
		require.NotContains(t, string(all), companiesCreds.Key, tt.fault)
	}
	h.setFault("", 0)
	_, err = h.run(t, b)
	require.NoError(t, err)
	require.Equal(t, 40, b.count(t, "companies"))
	require.Zero(t, h.refused, "every request the task made was signed")
}

// TestHTTPToTableRetryAfter: a 429 with Retry-After: 1 on page 2 is
// retried after the second it asks for (the backoff alone would wait
// milliseconds) and the sync succeeds.
func TestHTTPToTableRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	h := newHawkCompanies(t, 25)
	h.setFault("429", 2)
	sum, err := h.run(t, b)
	require.NoError(t, err, sum)
	require.Equal(t, 25, b.count(t, "companies"))
	h.mu.Lock()
	defer h.mu.Unlock()
	require.False(t, h.throttled.IsZero())
	require.GreaterOrEqual(t, h.resumed.Sub(h.throttled), time.Second, "Retry-After: 1 was honoured")
	require.Equal(t, 4, h.verified, "three pages and one retry, each with a fresh nonce")
}
