package ckan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
)

// Records formats of datastore_search.
const (
	FormatObjects = "objects"
	FormatLists   = "lists"
	FormatCSV     = "csv"
	FormatTSV     = "tsv"
)

// SearchRequest is datastore_search's input.
type SearchRequest struct {
	// ResourceID is a resource id or a table alias.
	ResourceID string `json:"resource_id"`
	// Filters: column → value (=) or list of values (IN).
	Filters map[string]any `json:"filters,omitempty"`
	// Q is a full-text query: a string, or a map column → text.
	Q any `json:"q,omitempty"`
	// Plain nil means CKAN's default (true: plainto_tsquery).
	Plain    *bool  `json:"plain,omitempty"`
	Language string `json:"language,omitempty"`
	// Limit nil means the server's default (100). Values above rows_max are
	// clamped by the server; the result's Limit shows the clamp.
	Limit    *int       `json:"limit,omitempty"`
	Offset   int        `json:"offset,omitempty"`
	Fields   StringList `json:"fields,omitzero"`
	Sort     string     `json:"sort,omitempty"`
	Distinct bool       `json:"distinct,omitempty"`
	// IncludeTotal nil means CKAN's default (true).
	IncludeTotal             *bool  `json:"include_total,omitempty"`
	TotalEstimationThreshold *int   `json:"total_estimation_threshold,omitempty"`
	RecordsFormat            string `json:"records_format,omitempty"`
}

// SearchResult is datastore_search's answer. Exactly one of Records (format
// "objects"), Lists ("lists") and Text ("csv", "tsv") is filled.
type SearchResult struct {
	ResourceID string   `json:"resource_id"`
	Fields     []Field  `json:"fields"`
	Records    []Record `json:"-"`
	Lists      [][]any  `json:"-"`
	Text       string   `json:"-"`
	// Total is nil when include_total was false.
	Total             *int64 `json:"total"`
	TotalWasEstimated bool   `json:"total_was_estimated"`
	// Limit is the limit the server applied (after clamping to rows_max).
	Limit         int    `json:"limit"`
	Offset        int    `json:"offset"`
	RecordsFormat string `json:"records_format"`
	Links         Links  `json:"_links"`
}

// UnmarshalJSON decodes the result and its records in whichever format
// they came, keeping numbers exact.
func (r *SearchResult) UnmarshalJSON(b []byte) error {
	type plain SearchResult
	var aux struct {
		plain
		Records json.RawMessage `json:"records"`
	}
	if err := unmarshalNumbers(b, &aux); err != nil {
		return err
	}
	*r = SearchResult(aux.plain)
	raw := bytes.TrimSpace(aux.Records)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil
	case raw[0] == '"':
		return json.Unmarshal(raw, &r.Text)
	case r.RecordsFormat == FormatLists:
		return unmarshalNumbers(raw, &r.Lists)
	default:
		return unmarshalNumbers(raw, &r.Records)
	}
}

// DatastoreSearch runs one search request.
func (c *Client) DatastoreSearch(ctx context.Context, req *SearchRequest) (*SearchResult, error) {
	var out SearchResult
	if err := c.request(ctx, "datastore_search", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// IterOptions configures [Client.SearchAll].
type IterOptions struct {
	// PageSize is the number of rows per request. Default 1000; never more
	// than ClientOptions.RowsMax.
	PageSize int
}

// SearchAll pages through every row matching req (objects format), any
// number of rows, each request within rows_max. Pages are ordered by req.Sort
// followed by "_id", so paging is stable while the table does not change.
// req.Limit bounds the total number of rows (nil: all); req.Offset is the
// starting row. Iteration stops at the first error, which is yielded.
func (c *Client) SearchAll(ctx context.Context, req *SearchRequest, opts *IterOptions) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		page := 1000
		if opts != nil && opts.PageSize > 0 {
			page = opts.PageSize
		}
		page = min(page, c.opts.RowsMax)
		q := *req
		q.RecordsFormat = FormatObjects
		q.IncludeTotal = new(false)
		q.Sort = stableSort(req.Sort)
		remaining := -1
		if req.Limit != nil {
			remaining = *req.Limit
		}
		for remaining != 0 {
			want := page
			if remaining > 0 {
				want = min(want, remaining)
			}
			q.Limit = &want
			res, err := c.DatastoreSearch(ctx, &q)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, rec := range res.Records {
				if !yield(rec, nil) {
					return
				}
			}
			got := len(res.Records)
			applied := want
			if res.Limit > 0 && res.Limit < want {
				applied = res.Limit // the server clamped: follow it
				page = res.Limit
			}
			if got < applied || got == 0 {
				return
			}
			q.Offset += got
			if remaining > 0 {
				remaining -= got
			}
		}
	}
}

// stableSort appends the "_id" tie-breaker to a sort expression.
func stableSort(sort string) string {
	if sort == "" {
		return "_id"
	}
	return fmt.Sprintf("%s, _id", sort)
}
