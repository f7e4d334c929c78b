package httpsource_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// testAPI serves n records {"id": i, "name": "r<i>"} in pages of size, in
// one pagination style; hooks let a test break a page.
type testAPI struct {
	n, size int
	style   string // next | page | offset | cursor | link
	// check authenticates a request; it writes the refusal and returns false.
	check func(w http.ResponseWriter, r *http.Request) bool
	// hook runs first for page k (from 1); true means it answered.
	hook func(w http.ResponseWriter, r *http.Request, k int) bool
	// sign turns the body into the response (e.g. adds Hawk headers).
	sign func(w http.ResponseWriter, r *http.Request, body []byte) []byte

	mu       sync.Mutex
	requests int
}

func (a *testAPI) hits() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests
}

func (a *testAPI) start(t *testing.T) *httptest.Server {
	t.Helper()
	return a.startHandler(t, a)
}

// startHandler serves h until the test ends.
func (*testAPI) startHandler(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// ServeHTTP answers one page.
func (a *testAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.requests++
	a.mu.Unlock()
	if a.check != nil && !a.check(w, r) {
		return
	}
	lo := a.offset(r)
	k := lo/a.size + 1
	if a.hook != nil && a.hook(w, r, k) {
		return
	}
	hi := min(lo+a.size, a.n)
	recs := []map[string]any{}
	for i := lo + 1; i <= hi; i++ {
		recs = append(recs, map[string]any{"id": i, "name": fmt.Sprintf("r%d", i)})
	}
	more := hi < a.n
	body := map[string]any{"results": recs}
	var out any = body
	switch a.style {
	case "next":
		body["next"] = nil
		if more {
			body["next"] = fmt.Sprintf("/items?page=%d", k+1)
		}
	case "cursor":
		body = map[string]any{"data": recs, "meta": map[string]any{"next_cursor": nil}}
		if more {
			body["meta"] = map[string]any{"next_cursor": "c" + strconv.Itoa(hi)}
		}
		out = body
	case "link":
		out = recs
		if more {
			w.Header().Add("Link", fmt.Sprintf(`</items?page=%d>; rel="next", </items?page=1>; rel="first"`, k+1))
		}
	}
	data, _ := json.Marshal(out)
	if a.sign != nil {
		data = a.sign(w, r, data)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// offset is the index of the page's first record, from the request.
func (a *testAPI) offset(r *http.Request) int {
	q := r.URL.Query()
	switch a.style {
	case "offset":
		n, _ := strconv.Atoi(q.Get("offset"))
		return n
	case "cursor":
		c := q.Get("cursor")
		if c == "" {
			return 0
		}
		n, _ := strconv.Atoi(c[1:])
		return n
	default:
		p, _ := strconv.Atoi(q.Get("page"))
		return max(p-1, 0) * a.size
	}
}
