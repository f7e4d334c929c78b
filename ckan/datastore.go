package ckan

import (
	"context"
	"encoding/json"
	"errors"
)

// CreateRequest is datastore_create's input.
type CreateRequest struct {
	// ResourceID names an existing resource. Exactly one of ResourceID and
	// Resource must be set.
	ResourceID string `json:"resource_id,omitempty"`
	// Resource creates a new resource (needs "package_id"). Without "url"
	// CKAN makes it a DataStore-only resource (url_type "datastore").
	Resource map[string]any `json:"resource,omitempty"`
	// Force edits a resource whose url_type is not "datastore" (uploads,
	// links). Loaders always set it.
	Force bool `json:"force,omitempty"`
	// Aliases replaces the table's aliases.
	Aliases StringList `json:"aliases,omitzero"`
	// Fields are the columns. Existing columns keep their types.
	Fields []Field `json:"fields,omitempty"`
	// Records are appended with the insert method.
	Records []Record `json:"records,omitempty"`
	// PrimaryKey replaces the unique key; an empty non-nil list removes it.
	PrimaryKey StringList `json:"primary_key,omitzero"`
	// Indexes replaces the table's indexes.
	Indexes StringList `json:"indexes,omitzero"`
	// DeleteFields drops the columns not listed in Fields (CKAN 2.11+; left
	// out of the request when false so CKAN 2.10 accepts it).
	DeleteFields bool `json:"delete_fields,omitempty"`
	// CalculateRecordCount updates the table's row-count statistics.
	CalculateRecordCount bool `json:"calculate_record_count,omitempty"`
}

// CreateResult is datastore_create's answer: the validated request without
// its records.
type CreateResult struct {
	ResourceID           string         `json:"resource_id"`
	Fields               []Field        `json:"fields"`
	Method               string         `json:"method"`
	Aliases              StringList     `json:"aliases"`
	PrimaryKey           StringList     `json:"primary_key"`
	Indexes              StringList     `json:"indexes"`
	DeleteFields         bool           `json:"delete_fields"`
	CalculateRecordCount bool           `json:"calculate_record_count"`
	Resource             map[string]any `json:"resource"`
}

// DatastoreCreate creates a DataStore table or adds columns and records to
// an existing one. When Resource carries a "url", CKAN hands the resource
// to DataPusher and answers null: the result is then nil with a nil error.
func (c *Client) DatastoreCreate(ctx context.Context, req *CreateRequest) (*CreateResult, error) {
	var raw json.RawMessage
	if err := c.request(ctx, "datastore_create", req, &raw); err != nil {
		return nil, err
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var out CreateResult
	if err := unmarshalNumbers(raw, &out); err != nil {
		return nil, &APIError{Action: "datastore_create", StatusCode: 200, Message: "undecodable result: " + err.Error()}
	}
	return &out, nil
}

// Upsert methods.
const (
	MethodUpsert = "upsert"
	MethodInsert = "insert"
	MethodUpdate = "update"
)

// UpsertRequest is datastore_upsert's input.
type UpsertRequest struct {
	ResourceID string   `json:"resource_id"`
	Records    []Record `json:"records"`
	// Method is MethodUpsert (CKAN's default), MethodInsert or
	// MethodUpdate. Upsert and update need the table's primary key or "_id"
	// in every record.
	Method               string `json:"method,omitempty"`
	Force                bool   `json:"force,omitempty"`
	CalculateRecordCount bool   `json:"calculate_record_count,omitempty"`
	// DryRun validates and rolls back.
	DryRun bool `json:"dry_run,omitempty"`
}

// UpsertResult is datastore_upsert's answer. CKAN echoes the records too;
// they are not decoded.
type UpsertResult struct {
	ResourceID string `json:"resource_id"`
	Method     string `json:"method"`
}

// DatastoreUpsert inserts, updates or upserts records. A whole request
// fails or succeeds; split large inputs with [ChunkRecords] or use
// [Client.UpsertChunked]. When a proxy refuses the request as too large
// (413), the records are split in two halves, each sent the same way; the
// first half stays written if the second then fails. One record refused
// with 413 fails with an error matching [ErrRequestTooLarge].
func (c *Client) DatastoreUpsert(ctx context.Context, req *UpsertRequest) (*UpsertResult, error) {
	var out UpsertResult
	err := c.request(ctx, "datastore_upsert", req, &out)
	if errors.Is(err, ErrRequestTooLarge) && len(req.Records) > 1 {
		half := len(req.Records) / 2
		for _, part := range [][]Record{req.Records[:half], req.Records[half:]} {
			r := *req
			r.Records = part
			res, err := c.DatastoreUpsert(ctx, &r)
			if err != nil {
				return nil, err
			}
			out = *res
		}
		return &out, nil
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteRequest is the input of datastore_delete and
// datastore_records_delete.
type DeleteRequest struct {
	ResourceID string `json:"resource_id"`
	// Filters selects rows to delete (column → value, or list of values).
	// nil drops the whole table (datastore_delete only); an empty non-nil
	// map deletes every row and keeps the table (CKAN 2.11).
	Filters              map[string]any `json:"filters,omitzero"`
	Force                bool           `json:"force,omitempty"`
	CalculateRecordCount bool           `json:"calculate_record_count,omitempty"`
}

// DeleteResult is the echo of a delete.
type DeleteResult struct {
	ResourceID string         `json:"resource_id"`
	Filters    map[string]any `json:"filters"`
}

// DatastoreDelete drops the table (no filters) or deletes the matching rows.
func (c *Client) DatastoreDelete(ctx context.Context, req *DeleteRequest) (*DeleteResult, error) {
	var out DeleteResult
	if err := c.request(ctx, "datastore_delete", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DatastoreRecordsDelete deletes the rows matching req.Filters and never
// drops the table (CKAN 2.11+). Filters must be non-nil; use an empty map to
// delete every row.
func (c *Client) DatastoreRecordsDelete(ctx context.Context, req *DeleteRequest) (*DeleteResult, error) {
	in := *req
	if in.Filters == nil {
		in.Filters = map[string]any{}
	}
	var out DeleteResult
	if err := c.request(ctx, "datastore_records_delete", &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// InfoMeta is datastore_info's "meta".
type InfoMeta struct {
	ID        string     `json:"id"`
	Count     int64      `json:"count"`
	TableType string     `json:"table_type"`
	Size      int64      `json:"size"`
	DBSize    int64      `json:"db_size"`
	IdxSize   int64      `json:"idx_size"`
	Aliases   StringList `json:"aliases"`
}

// InfoSchema is the "schema" of a datastore_info field.
type InfoSchema struct {
	NativeType string `json:"native_type"`
	NotNull    bool   `json:"notnull"`
	IndexName  string `json:"index_name"`
	IsIndex    bool   `json:"is_index"`
	UniqueKey  bool   `json:"uniquekey"`
}

// InfoField is one column in datastore_info ("_id" is not listed).
type InfoField struct {
	ID     string         `json:"id"`
	Type   string         `json:"type"`
	Info   map[string]any `json:"info,omitempty"`
	Schema InfoSchema     `json:"schema"`
}

// InfoResult is datastore_info's answer.
type InfoResult struct {
	Meta   InfoMeta    `json:"meta"`
	Fields []InfoField `json:"fields"`
	// PrimaryKeys is added by ckanext-aircan; empty elsewhere.
	PrimaryKeys []string `json:"primary_keys,omitempty"`
}

// DatastoreInfo describes the table of a resource (or an alias). The id is
// sent as "id", the only name CKAN 2.10 accepts.
func (c *Client) DatastoreInfo(ctx context.Context, id string) (*InfoResult, error) {
	var out InfoResult
	if err := c.request(ctx, "datastore_info", map[string]string{"id": id}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
