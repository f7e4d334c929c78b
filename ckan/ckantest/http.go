package ckantest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// action is one action function.
type action struct {
	fn func(ctx context.Context, c *call) (any, error)
	// sideEffectFree actions also answer GET.
	sideEffectFree bool
}

// call is one action invocation.
type call struct {
	name string
	user *user // nil: anonymous
	data map[string]any
	r    *http.Request
}

// userName is the name CKAN puts in auth messages ("" for anonymous).
func (c *call) userName() string {
	if c.user == nil {
		return ""
	}
	return c.user.name
}

func (s *Server) actionTable() map[string]action {
	t := s.actions211()
	if s.v210() {
		delete(t, "datastore_records_delete") // 2.11+
	}
	return t
}

func (s *Server) actions211() map[string]action {
	return map[string]action{
		"datastore_create":         {fn: s.datastoreCreate},
		"datastore_upsert":         {fn: s.datastoreUpsert},
		"datastore_delete":         {fn: s.datastoreDelete},
		"datastore_records_delete": {fn: s.datastoreRecordsDelete},
		"datastore_search":         {fn: s.datastoreSearch, sideEffectFree: true},
		"datastore_info":           {fn: s.datastoreInfo, sideEffectFree: true},
		"resource_show":            {fn: s.resourceShow, sideEffectFree: true},
		"package_show":             {fn: s.packageShow, sideEffectFree: true},
		"resource_patch":           {fn: s.resourcePatch},
		"resource_delete":          {fn: s.resourceDelete},
		"aircan_status_update":     {fn: s.aircanStatusUpdate},
		"aircan_status":            {fn: s.aircanStatus, sideEffectFree: true},
		"status_show":              {fn: s.statusShow, sideEffectFree: true},
	}
}

func (s *Server) serveAction(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	act, ok := s.actions[name]
	if !ok {
		writeBare(w, "Bad request - Action name not known: "+name)
		return
	}
	if r.Method != http.MethodPost && !act.sideEffectFree {
		writeBare(w, "Bad request - JSON Error: Invalid request. Please use POST method for your request")
		return
	}
	data, msg := parseRequest(r)
	if msg != "" {
		writeBare(w, "Bad request - JSON Error: "+msg)
		return
	}
	c := &call{name: name, user: s.authUser(r), data: data, r: r}
	result, err := act.fn(r.Context(), c)
	s.writeResult(w, name, result, err)
}

// parseRequest reads the query string (GET), a form body or a JSON object.
// A failure returns CKAN's message for it.
func parseRequest(r *http.Request) (map[string]any, string) {
	if r.Method != http.MethodPost {
		return valuesMap(r.URL.Query()), ""
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return nil, fmt.Sprintf("Error decoding form data: %v", err)
		}
		return valuesMap(r.PostForm), ""
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Sprintf("Error reading request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Sprintf("Error decoding JSON data. Error: %v", err)
	}
	if dec.More() {
		return nil, "Error decoding JSON data. Error: extra data after the JSON value"
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("Request data JSON decoded to %s but it needs to be a dictionary.", textOf(v))
	}
	return m, ""
}

// valuesMap turns query values into strings, repeated keys into lists.
func valuesMap(q url.Values) map[string]any {
	m := make(map[string]any, len(q))
	for k, vs := range q {
		if len(vs) == 1 {
			m[k] = vs[0]
			continue
		}
		list := make([]any, len(vs))
		for i, v := range vs {
			list[i] = v
		}
		m[k] = list
	}
	return m
}

func (s *Server) writeResult(w http.ResponseWriter, name string, result any, err error) {
	help := s.URL() + "/api/3/action/help_show?name=" + name
	if err == nil {
		writeJSON(w, http.StatusOK, map[string]any{"help": help, "success": true, "result": result})
		return
	}
	var bare badRequest
	if errors.As(err, &bare) {
		writeBare(w, string(bare))
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		s.opts.Logger.Error("ckantest: internal error", slog.String("action", name), slog.Any("error", err))
		ae = internalError()
	}
	writeJSON(w, ae.status, map[string]any{"help": help, "success": false, "error": ae.body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"success": false, "error": {"__type": "Internal Server Error", "message": "Internal Server Error"}}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeBare answers 400 with a bare JSON string, as CKAN's
// _finish_bad_request does.
func writeBare(w http.ResponseWriter, msg string) {
	b, _ := json.Marshal(msg)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(b)
}

// nowISO is CKAN's timestamp form (isoformat, microseconds, no zone).
func nowISO() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000") }

// splitList splits a comma string (helper for GET parameters).
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
