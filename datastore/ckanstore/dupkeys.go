package ckanstore

import (
	"context"
	"encoding/json"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore/driver"
)

// keySearchChunk bounds the key values of one keyed datastore_search.
const keySearchChunk = 1000

// errDuplicateKey is the refusal of an append batch with a key the target
// or this load already holds, shaped as CKAN's unique violation so that it
// classifies as a data error.
func errDuplicateKey(where string) error {
	return &ckan.APIError{Action: "datastore_upsert", StatusCode: 409, Type: "Validation Error",
		Fields: map[string][]string{"constraints": {"Cannot insert records or create index because of uniqueness constraint (key " + where + ")"}}}
}

// recordKey is the key of a record: the JSON of its key values.
func recordKey(rec ckan.Record, key []string) string {
	parts := make([]any, len(key))
	for i, k := range key {
		parts[i] = rec[k]
	}
	b, _ := json.Marshal(parts)
	return string(b)
}

// checkExisting refuses an append batch whose keys the target already
// holds. One keyed datastore_search per batch (per keySearchChunk keys)
// finds them, instead of a dry-run upsert per half when the loader
// bisects the batch: the answers are kept for the batch, so its halves
// are checked without requests. Keys it cannot match (a format CKAN
// renders differently) are still caught by the dry run.
func (w *writer) checkExisting(ctx context.Context, recs []ckan.Record) error {
	if w.req.Mode != driver.Append || len(w.req.Key) == 0 {
		return nil
	}
	keys := make([]string, len(recs))
	var unknown []ckan.Record
	for i, rec := range recs {
		keys[i] = recordKey(rec, w.req.Key)
		if _, seen := w.existing[keys[i]]; !seen {
			unknown = append(unknown, rec)
		}
	}
	if len(unknown) > 0 {
		known, err := w.searchKeys(ctx, unknown)
		if err != nil {
			return err
		}
		w.existing = known // the cache covers this batch and its halves
	}
	for _, k := range keys {
		if w.existing[k] {
			return errDuplicateKey("already in the table")
		}
	}
	return nil
}

// searchKeys asks the target which of the records' keys it holds. The
// answer maps every record's key to whether it exists.
func (w *writer) searchKeys(ctx context.Context, recs []ckan.Record) (map[string]bool, error) {
	known := make(map[string]bool, len(recs))
	for start := 0; start < len(recs); start += keySearchChunk {
		part := recs[start:min(start+keySearchChunk, len(recs))]
		filters := map[string]any{}
		for _, k := range w.req.Key {
			vals := make([]any, len(part))
			for i, rec := range part {
				vals[i] = rec[k]
			}
			filters[k] = vals
		}
		req := &ckan.SearchRequest{ResourceID: w.target, Filters: filters, Fields: ckan.StringList(w.req.Key)}
		for rec, err := range w.d.c.SearchAll(ctx, req, &ckan.IterOptions{PageSize: keySearchChunk}) {
			if err != nil {
				return nil, err
			}
			known[recordKey(rec, w.req.Key)] = true
		}
		for _, rec := range part {
			if k := recordKey(rec, w.req.Key); !known[k] {
				known[k] = false // searched, absent
			}
		}
	}
	return known, nil
}
