package ingesthttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/httplog"
)

// RowResult is one row's outcome in a rows answer.
type RowResult struct {
	// Row is the 1-based position of the row in the request.
	Row int `json:"row"`
	// Inserted is true when the row was written.
	Inserted bool `json:"inserted"`
	// Field, Value and Reason say why a row was rejected (the first
	// failure); Errors lists every failure of the row.
	Field  string       `json:"field,omitempty"`
	Value  string       `json:"value,omitempty"`
	Reason string       `json:"reason,omitempty"`
	Errors []FieldIssue `json:"errors,omitempty"`
}

// FieldIssue is one failing field of a rejected row.
type FieldIssue struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// RowsResponse is the answer to POST rows.
type RowsResponse struct {
	Table    string      `json:"table"`
	Received int         `json:"received"`
	Inserted int         `json:"inserted"`
	Rejected int         `json:"rejected"`
	Rows     []RowResult `json:"rows"`
}

// errTooManyRows and errNoRows are request errors about the row count.
var (
	errTooManyRows = fmt.Errorf("a request takes at most %d rows", datastore.MaxIngestRows)
	errNoRows      = errors.New("the request has no rows")
)

// badRequest is a client error with its HTTP status.
type badRequest struct {
	code int
	msg  string
}

func (e *badRequest) Error() string { return e.msg }

func (h *Handler) postRows(w http.ResponseWriter, r *http.Request) {
	table, schema := h.tableSchema(w, r)
	if schema == nil {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		httplog.Message(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", h.opts.MaxBodyBytes))
		return
	}
	if err != nil {
		httplog.Message(w, http.StatusBadRequest, "cannot read the body")
		return
	}
	in, err := decodeRows(r.Header.Get("Content-Type"), body, schema)
	var br *badRequest
	if errors.As(err, &br) {
		httplog.Message(w, br.code, br.msg)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	resp, err := h.ingest(r, table, schema, in)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	code := http.StatusCreated
	switch {
	case resp.Inserted == 0:
		code = http.StatusUnprocessableEntity
	case resp.Rejected > 0:
		code = http.StatusOK
	}
	httplog.JSON(w, code, resp)
}

// decoded is a request's rows: typed rows for CSV, objects for JSON, and the
// rows that failed before ingest (CSV casting).
type decoded struct {
	n       int
	objects []map[string]any
	rows    []frictionless.Row
	index   []int                          // request row (0-based) of each entry in rows
	failed  map[int]*frictionless.RowError // request row (0-based) → error
}

// decodeRows parses a JSON or CSV body; the error is a *badRequest for client
// mistakes.
func decodeRows(contentType string, body []byte, schema *frictionless.Schema) (*decoded, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		mt, err = "application/json", nil
	}
	if err != nil {
		return nil, &badRequest{http.StatusUnsupportedMediaType, "bad Content-Type"}
	}
	switch mt {
	case "application/json":
		return decodeJSON(body)
	case "text/csv":
		return decodeCSV(body, schema, params["header"] != "absent")
	}
	return nil, &badRequest{http.StatusUnsupportedMediaType, "Content-Type must be application/json or text/csv"}
}

func decodeJSON(body []byte) (*decoded, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw []json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, &badRequest{http.StatusBadRequest, "the body must be a JSON array of objects: " + err.Error()}
	}
	if dec.More() {
		return nil, &badRequest{http.StatusBadRequest, "the body must be a single JSON array"}
	}
	if err := checkCount(len(raw)); err != nil {
		return nil, err
	}
	d := &decoded{n: len(raw), objects: make([]map[string]any, len(raw))}
	for i, m := range raw {
		od := json.NewDecoder(bytes.NewReader(m))
		od.UseNumber()
		if err := od.Decode(&d.objects[i]); err != nil || d.objects[i] == nil {
			return nil, &badRequest{http.StatusBadRequest, fmt.Sprintf("row %d is not a JSON object", i+1)}
		}
	}
	return d, nil
}

func checkCount(n int) error {
	switch {
	case n == 0:
		return &badRequest{http.StatusBadRequest, errNoRows.Error()}
	case n > datastore.MaxIngestRows:
		return &badRequest{http.StatusRequestEntityTooLarge, errTooManyRows.Error()}
	}
	return nil
}

// decodeCSV reads CSV rows through the frictionless reader, which casts and
// validates them; rows it refuses are kept as failures.
func decodeCSV(body []byte, schema *frictionless.Schema, header bool) (*decoded, error) {
	h := header
	r, err := frictionless.NewReader(bytes.NewReader(body), schema, &frictionless.ReadOptions{
		Dialect: &frictionless.Dialect{Header: &h}, SkipUniqueCheck: true})
	if err != nil {
		return nil, &badRequest{http.StatusBadRequest, err.Error()}
	}
	d := &decoded{failed: map[int]*frictionless.RowError{}}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		var re *frictionless.RowError
		switch {
		case errors.As(err, &re) && re.Row == 0:
			return nil, &badRequest{http.StatusBadRequest, "CSV header: " + re.Error()}
		case errors.As(err, &re):
			d.failed[re.Row-1] = re
		case err != nil:
			return nil, &badRequest{http.StatusBadRequest, "malformed CSV: " + err.Error()}
		default:
			d.rows = append(d.rows, row)
			d.index = append(d.index, d.n)
		}
		d.n++
		if d.n > datastore.MaxIngestRows {
			break
		}
	}
	return d, checkCount(d.n)
}

// ingest writes the decoded rows and logs the rejects.
func (h *Handler) ingest(r *http.Request, table string, schema *frictionless.Schema, in *decoded) (*RowsResponse, error) {
	ctx := r.Context()
	resp := &RowsResponse{Table: table, Received: in.n, Rows: make([]RowResult, in.n)}
	for i := range resp.Rows {
		resp.Rows[i].Row = i + 1
	}
	opts := &datastore.IngestOptions{Schema: schema}
	var rep *datastore.IngestReport
	var err error
	switch {
	case in.objects != nil:
		rep, err = datastore.Ingest(ctx, h.store, table, in.objects, opts)
	case len(in.rows) > 0:
		rep, err = datastore.IngestRows(ctx, h.store, table, in.rows, opts)
	default:
		rep = &datastore.IngestReport{}
	}
	if err != nil {
		return nil, err
	}
	for _, res := range rep.Results {
		idx := res.Index
		if in.objects == nil {
			idx = in.index[res.Index]
		}
		resp.Rows[idx].Inserted = res.Written
		var re *frictionless.RowError
		if errors.As(res.Err, &re) {
			setReject(&resp.Rows[idx], re)
		}
	}
	for idx, re := range in.failed {
		setReject(&resp.Rows[idx], re)
	}
	var rejects []datastore.Reject
	for i := range resp.Rows {
		row := &resp.Rows[i]
		if row.Inserted {
			resp.Inserted++
			continue
		}
		resp.Rejected++
		rejects = append(rejects, datastore.Reject{Row: row.Row, Field: row.Field, Value: row.Value,
			Reason: row.Reason, Raw: rawCells(in, i), Stage: datastore.StageValidation})
	}
	if len(rejects) > 0 {
		sink := datastore.NewTableRejects(h.store, table)
		if err := sink.WriteRejects(ctx, rejects); err != nil {
			return nil, err
		}
		if err := sink.Flush(ctx); err != nil {
			return nil, err
		}
	}
	if h.opts.Ingested != nil {
		h.opts.Ingested(resp)
	}
	return resp, nil
}

func setReject(rr *RowResult, re *frictionless.RowError) {
	rr.Inserted = false
	rr.Field, rr.Value, rr.Reason = re.Field, re.Value, re.Reason
	rr.Errors = make([]FieldIssue, 0, len(re.Errors))
	for _, fe := range re.Errors {
		rr.Errors = append(rr.Errors, FieldIssue{Field: fe.Field, Value: fe.Value, Reason: fe.Reason})
	}
	if rr.Reason == "" {
		rr.Reason = re.Error()
	}
}

// rawCells is a rejected row's input as text cells: the CSV cells, or the
// JSON object as one cell.
func rawCells(in *decoded, i int) []string {
	if in.objects != nil {
		b, _ := json.Marshal(in.objects[i])
		return []string{string(b)}
	}
	if re, ok := in.failed[i]; ok {
		return re.Raw
	}
	return nil
}
