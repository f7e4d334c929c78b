package main

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/datafactory/datafactory/datastore"
)

// viewHandler serves the KPI reports as the data-architecture API did:
// GET /view/req1 and GET /view/req2 answer JSON arrays with the
// deliverables' columns, computed by the database on each request. The
// same bearer token as the ingest API is required.
func viewHandler(s *datastore.Store, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /view/req1", func(w http.ResponseWriter, r *http.Request) {
		serveKPI(w, r, s, token, func(k *kpiSQL) (any, error) { return k.report1(r.Context(), kpiYear) })
	})
	mux.HandleFunc("GET /view/req2", func(w http.ResponseWriter, r *http.Request) {
		serveKPI(w, r, s, token, func(k *kpiSQL) (any, error) { return k.report2(r.Context(), kpiYear) })
	})
	return mux
}

// serveKPI checks the token, runs one report and writes it as JSON.
func serveKPI(w http.ResponseWriter, r *http.Request, s *datastore.Store, token string, run func(*kpiSQL) (any, error)) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
		http.Error(w, `{"error": "unauthorized"}`, http.StatusUnauthorized)
		return
	}
	k, err := newKPISQL(s)
	var rows any
	if err == nil {
		rows, err = run(k)
	}
	if err != nil {
		http.Error(w, `{"error": "the report failed"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rows)
}
