package tasks

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/pipeline"
)

// HTTPAuth is a credential for an HTTP API that http_to_table params name
// by key of [Options.HTTPAuth]. It is configured by the host program, never
// by params or a run conf, and is only sent to Origin.
type HTTPAuth struct {
	// Origin is the scheme, host and port the credential belongs to, e.g.
	// "https://api.example:8443". A source URL naming this auth must have
	// exactly this origin.
	Origin string
	// Auth authenticates the requests (httpsource.Hawk, Bearer, Basic,
	// APIKey).
	Auth httpsource.Auth
}

// HTTPTableParams are the params of the "http_to_table" task type.
type HTTPTableParams struct {
	// URL is the API's first page (http or https): on the origin of Auth
	// when Auth is set, else to a host in the connections' AllowHosts.
	URL string `json:"url"`
	// Auth names an entry of Options.HTTPAuth. Default: no authentication.
	Auth string `json:"auth,omitempty"`
	// Pagination is the page style. Default next_link.
	Pagination *PaginationParams `json:"pagination,omitempty"`
	// Records is the dotted key of the records array; "$" for the body.
	// Default "results".
	Records string `json:"records,omitempty"`
	// Schema is the Table Schema of the rows (and of the target table).
	Schema json.RawMessage `json:"schema"`
	// Mapping maps a column to the record key it reads, when not its name.
	Mapping map[string]string `json:"mapping,omitempty"`
	// Target names a store (a database or CKAN site connection).
	Target string `json:"target"`
	// Table is the target table.
	Table string `json:"table"`
	// Mode is append, upsert or replace (copy table and swap). Default
	// replace.
	Mode string `json:"mode,omitempty"`
	// MaxRejects fails the load (nothing written) when more records are
	// rejected; negative: on the first. Default 0: no limit.
	MaxRejects int `json:"max_rejects,omitempty"`
	// MaxPages bounds the pages read. Default httpsource's.
	MaxPages int `json:"max_pages,omitempty"`
	// RateLimit is the most requests per second. Default none.
	RateLimit float64 `json:"rate_limit,omitempty"`
}

// PaginationParams choose an httpsource pagination style and its settings.
type PaginationParams struct {
	// Style is next_link, page_number, offset_limit, cursor or link_header.
	Style string `json:"style"`
	// Field is next_link's next-URL key or cursor's cursor key.
	Field string `json:"field,omitempty"`
	// Param is page_number's page parameter or cursor's cursor parameter.
	Param string `json:"param,omitempty"`
	// SizeParam and Size are page_number's page-size parameter and size.
	SizeParam string `json:"size_param,omitempty"`
	Size      int    `json:"size,omitempty"`
	// Start is page_number's first page. Default 1.
	Start int `json:"start,omitempty"`
	// OffsetParam, LimitParam and Limit are offset_limit's.
	OffsetParam string `json:"offset_param,omitempty"`
	LimitParam  string `json:"limit_param,omitempty"`
	Limit       int    `json:"limit,omitempty"`
}

// HTTPTableParamsSchema is the JSON Schema of [HTTPTableParams].
const HTTPTableParamsSchema = `{
  "type": "object",
  "required": ["url", "schema", "target", "table"],
  "additionalProperties": false,
  "properties": {
    "url": {"type": "string", "minLength": 1, "maxLength": 4096, "description": "first page, http(s); on the origin of auth, else to a host the operator allowed; no secrets in it"},
    "auth": {"type": "string", "maxLength": 64, "description": "name of an HTTP credential the host configured (Hawk, bearer, basic, API key)"},
    "pagination": {"type": "object", "additionalProperties": false, "required": ["style"], "properties": {
      "style": {"enum": ["next_link", "page_number", "offset_limit", "cursor", "link_header"]},
      "field": {"type": "string", "maxLength": 256}, "param": {"type": "string", "maxLength": 256},
      "size_param": {"type": "string", "maxLength": 256}, "size": {"type": "integer", "minimum": 0},
      "start": {"type": "integer"}, "offset_param": {"type": "string", "maxLength": 256},
      "limit_param": {"type": "string", "maxLength": 256}, "limit": {"type": "integer", "minimum": 0}}},
    "records": {"type": "string", "maxLength": 256, "default": "results", "description": "dotted key of the records array; $ for the body"},
    "schema": {"type": "object", "description": "Table Schema of the rows and the target table"},
    "mapping": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}, "description": "column → record key, when not the column's name"},
    "target": {"type": "string", "minLength": 1, "maxLength": 64, "description": "name of a database or CKAN site connection"},
    "table": {"type": "string", "minLength": 1, "maxLength": 63},
    "mode": {"enum": ["append", "upsert", "replace"], "default": "replace"},
    "max_rejects": {"type": "integer", "default": 0, "description": "fail when more records are rejected; negative: on the first; 0: no limit"},
    "max_pages": {"type": "integer", "minimum": 0},
    "rate_limit": {"type": "number", "minimum": 0}
  }
}`

// httpTable is an http_to_table task whose references are resolved.
type httpTable struct {
	src     *httpsource.Source
	schema  *frictionless.Schema
	mapping []httpsource.FieldMap
	store   connection.Store
	table   string
	tableLoad
}

func (t *types) newHTTPTable(params json.RawMessage) (pipeline.Task, error) {
	var p HTTPTableParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	h, err := t.planHTTPTable(&p)
	if err != nil {
		return nil, err
	}
	return pipeline.TaskFunc(h.run), nil
}

// planHTTPTable checks params and resolves every reference; nothing is
// fetched or connected.
func (t *types) planHTTPTable(p *HTTPTableParams) (*httpTable, error) {
	mode, err := ParseMode(cmp.Or(p.Mode, "replace"))
	if err != nil {
		return nil, err
	}
	if err := datastore.ValidateTableName(p.Table); err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	var schema frictionless.Schema
	if err := json.Unmarshal(p.Schema, &schema); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	store, err := t.conns.Store(p.Target)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	o, err := t.httpOptions(p)
	if err != nil {
		return nil, err
	}
	src, err := httpsource.New(p.URL, o)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	h := &httpTable{src: src, schema: &schema, store: store, table: p.Table,
		tableLoad: tableLoad{mode: mode, max: p.MaxRejects, loaded: t.loaded}}
	for col, key := range p.Mapping {
		h.mapping = append(h.mapping, httpsource.FieldMap{Source: key, Column: col})
	}
	// Check the mapping against the schema now rather than at the first run.
	rows, err := src.Rows(context.Background(), h.schema, &httpsource.RowOptions{Mapping: h.mapping})
	if err != nil {
		return nil, err
	}
	rows.Close()
	return h, nil
}

// httpOptions are the source options of params: the host's base options,
// the named credential (only for its own origin) and the page style.
func (t *types) httpOptions(p *HTTPTableParams) (*httpsource.Options, error) {
	var o httpsource.Options
	if t.http != nil {
		o = *t.http
	}
	o.Auth = nil
	if p.Auth != "" {
		a, ok := t.auths[p.Auth]
		if !ok {
			return nil, fmt.Errorf("auth %q: refused: not a configured HTTP credential", p.Auth)
		}
		if !sameOrigin(p.URL, a.Origin) {
			return nil, fmt.Errorf("url: refused: not on the origin of credential %q", p.Auth)
		}
		o.Auth = a.Auth
	} else if _, err := t.conns.HTTPURL(p.URL); err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	pg, err := p.Pagination.pagination()
	if err != nil {
		return nil, err
	}
	o.Pagination, o.Records = pg, p.Records
	if p.MaxPages > 0 {
		o.MaxPages = p.MaxPages
	}
	if p.RateLimit > 0 {
		o.RateLimit = p.RateLimit
	}
	return &o, nil
}

// sameOrigin reports whether rawURL is an http(s) URL without user
// information whose scheme and host are origin's.
func sameOrigin(rawURL, origin string) bool {
	u, err := url.Parse(rawURL)
	o, err2 := url.Parse(origin)
	return err == nil && err2 == nil && u.User == nil && (u.Scheme == "http" || u.Scheme == "https") &&
		strings.EqualFold(u.Scheme, o.Scheme) && strings.EqualFold(u.Host, o.Host) && u.Host != ""
}

// pagination is the httpsource style of p; nil p is next_link.
func (p *PaginationParams) pagination() (httpsource.Pagination, error) {
	if p == nil {
		return httpsource.NextLink{}, nil
	}
	switch p.Style {
	case "next_link":
		return httpsource.NextLink{Field: p.Field}, nil
	case "page_number":
		return httpsource.PageNumber{Param: p.Param, SizeParam: p.SizeParam, Size: p.Size, Start: p.Start}, nil
	case "offset_limit":
		return httpsource.OffsetLimit{OffsetParam: p.OffsetParam, LimitParam: p.LimitParam, Limit: p.Limit}, nil
	case "cursor":
		return httpsource.Cursor{Param: p.Param, Field: p.Field}, nil
	case "link_header":
		return httpsource.LinkHeader{}, nil
	}
	return nil, fmt.Errorf("pagination style %q: want next_link, page_number, offset_limit, cursor or link_header", p.Style)
}

// run reads every page and loads the rows. Pages are read one after the
// other by the one stream datastore.Load consumes: a next link or cursor is
// only known once the page before it is read, and a replace must see every
// page before the swap.
func (h *httpTable) run(ctx context.Context, tc *pipeline.TaskContext) error {
	store, err := h.store.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := h.src.Rows(ctx, h.schema, &httpsource.RowOptions{Mapping: h.mapping})
	if err != nil {
		return pipeline.Permanent(err)
	}
	defer rows.Close()
	_, err = h.loadTable(ctx, tc, store, h.table, rows, 0)
	tc.SetStatus("pages", rows.Pages())
	if err != nil {
		if !retryable(err) { // datastore's error names the table
			return pipeline.Permanent(err)
		}
		return err
	}
	return nil
}

// retryable reports whether a later attempt may succeed: a page answered
// with an error status or not answered (its retries used up). A malformed
// or forged page, a budget, a foreign URL or rejected rows fail again.
func retryable(err error) bool {
	var pe *httpsource.PageError
	if !errors.As(err, &pe) {
		return false
	}
	for _, permanent := range []error{httpsource.ErrMalformedPage, httpsource.ErrBudget, httpsource.ErrForeignURL,
		hawk.ErrBadMAC, hawk.ErrBadHash, hawk.ErrMissing, hawk.ErrMalformed} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	return true
}
