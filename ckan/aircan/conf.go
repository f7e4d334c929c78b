package aircan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/datafactory/datafactory/frictionless"
)

// Conf is the run conf: the payload ckanext-aircan's aircan_submit sends
// (its "conf" object). Keys this pipeline does not read (big_query,
// output_bucket, ckan_s3_*, notification settings, …) are accepted and
// ignored. Secrets are not read from it: see the package documentation.
type Conf struct {
	Resource   ResourceConf `json:"resource"`
	CKANConfig CKANConfig   `json:"ckan_config"`
	// MaxRejects (a datafactory extension) fails the load when more rows
	// are rejected; 0 (the default) allows any number.
	MaxRejects int `json:"max_rejects,omitempty"`
	// MaxRejectRatio (a datafactory extension) fails the load, before the
	// table is touched, when more than this share of the file's rows is
	// rejected: CKAN then shows "error" with the counts, not "complete".
	// nil means DefaultMaxRejectRatio; 1 allows any share.
	MaxRejectRatio *float64 `json:"max_reject_ratio,omitempty"`
}

// DefaultMaxRejectRatio is the default Conf.MaxRejectRatio: a file with
// more bad rows than good ones is an error.
const DefaultMaxRejectRatio = 0.5

// rejectRatio is MaxRejectRatio or its default.
func (c *Conf) rejectRatio() float64 {
	if c.MaxRejectRatio == nil {
		return DefaultMaxRejectRatio
	}
	return *c.MaxRejectRatio
}

// ResourceConf is the conf's "resource" object.
type ResourceConf struct {
	// Path is the data to load: an http(s) URL, or a local file (allowed
	// only under [Config].FileRoot). Default: the resource's url.
	Path string `json:"path,omitempty"`
	// Format is the file format, e.g. "CSV" or "TSV". Default: the
	// resource's format.
	Format string `json:"format,omitempty"`
	// CKANResourceID is the resource whose DataStore table is loaded.
	CKANResourceID string `json:"ckan_resource_id"`
	// Schema is the Frictionless Table Schema, as an object or as a JSON
	// string (ckanext-aircan sends a string). Default: the resource's
	// "schema" key.
	Schema json.RawMessage `json:"schema,omitempty"`
	// PackageID is the resource's dataset (informational).
	PackageID string `json:"package_id,omitempty"`
	// AppendOrUpdate keeps an existing table and appends (or, with
	// UniqueKeys, upserts) instead of replacing it.
	AppendOrUpdate Bool `json:"datastore_append_or_update,omitempty"`
	// UniqueKeys are the DataStore unique key columns; with AppendOrUpdate
	// the rows are upserted on them. A list, a comma-separated string or a
	// JSON list in a string.
	UniqueKeys Keys `json:"datastore_unique_keys,omitempty"`
	// Dialect (a datafactory extension) is the file's CSV Dialect, e.g.
	// {"header": false}. Default: comma-separated with a header row (tab for
	// the TSV format).
	Dialect *frictionless.Dialect `json:"dialect,omitempty"`
	// Encoding (a datafactory extension) is the file's text encoding.
	// Default utf-8.
	Encoding string `json:"encoding,omitempty"`
}

// CKANConfig is the conf's "ckan_config" object, without its secrets.
type CKANConfig struct {
	// SiteURL is the CKAN site. Default [Config].SiteURL.
	SiteURL string `json:"site_url,omitempty"`
	// LoadWithPostgresCopy writes a replaced table straight into the
	// DataStore's PostgreSQL (COPY and an atomic swap) instead of through
	// datastore_upsert. The database URL comes from [Config], never from
	// the conf.
	LoadWithPostgresCopy Bool `json:"aircan_load_with_postgres_copy,omitempty"`
	// ChunkRows is the number of records per datastore_upsert request.
	// Default 250.
	ChunkRows Int `json:"aircan_datastore_chunk_insert_rows_size,omitempty"`
	// ChunkBytes (a datafactory extension) bounds the encoded records of
	// one datastore_upsert request; keep it below the body limit of the
	// proxy in front of CKAN. Default ckan.DefaultChunkBytes (900 KiB,
	// under nginx's default 1 MiB). A 413 answer is split and retried
	// whatever the budget.
	ChunkBytes Int `json:"aircan_datastore_chunk_bytes,omitempty"`
	// AppendOrUpdate is ckanext-aircan's site-wide default for
	// ResourceConf.AppendOrUpdate.
	AppendOrUpdate Bool `json:"aircan_append_or_update_datastore,omitempty"`
}

// defaultChunkRows is AirCan's aircan_datastore_chunk_insert_rows_size.
const defaultChunkRows = 250

// Bool is a conf flag: a JSON boolean, or a string read as CKAN's
// boolean_validator reads it (true, yes, t, y, 1 in any case are true;
// anything else is false). null is false.
type Bool bool

// UnmarshalJSON reads a boolean, a string or null.
func (b *Bool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		*b = false
	case bool:
		*b = Bool(x)
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes", "t", "y", "1":
			*b = true
		default:
			*b = false
		}
	default:
		return fmt.Errorf("want a boolean or a string, got %s", data)
	}
	return nil
}

// Int is a conf integer: a JSON number or a string of digits (values from
// CKAN's ini files arrive as strings). null is 0.
type Int int

// UnmarshalJSON reads a number, a string of digits or null.
func (n *Int) UnmarshalJSON(data []byte) error {
	s := string(bytes.TrimSpace(data))
	if s == "null" {
		*n = 0
		return nil
	}
	if unq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unq)
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want an integer, got %s", data)
	}
	*n = Int(v)
	return nil
}

// Keys is a list of column names: a JSON list, a comma-separated string,
// or a JSON list inside a string (as Python's json.dumps of a list
// sometimes arrives). null and "" are empty.
type Keys []string

// UnmarshalJSON reads the forms above.
func (k *Keys) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	var out []string
	switch x := v.(type) {
	case nil:
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("want a list of strings, got %s", data)
			}
			out = append(out, s)
		}
	case string:
		t := strings.TrimSpace(x)
		if strings.HasPrefix(t, "[") {
			if err := json.Unmarshal([]byte(t), &out); err != nil {
				return fmt.Errorf("want a JSON list of strings in %q: %w", x, err)
			}
			break
		}
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	default:
		return fmt.Errorf("want a list or a string, got %s", data)
	}
	*k = out
	return nil
}

// appendOrUpdate reports whether the table is kept (append or upsert).
func (c *Conf) appendOrUpdate() bool {
	return bool(c.Resource.AppendOrUpdate) || bool(c.CKANConfig.AppendOrUpdate)
}

// upsert reports whether rows are upserted on the unique keys.
func (c *Conf) upsert() bool { return c.appendOrUpdate() && len(c.Resource.UniqueKeys) > 0 }

// chunkRows is the records per datastore_upsert request.
func (c *Conf) chunkRows() int {
	if c.CKANConfig.ChunkRows > 0 {
		return int(c.CKANConfig.ChunkRows)
	}
	return defaultChunkRows
}

// decodeConf reads and checks a run conf.
func decodeConf(raw json.RawMessage) (*Conf, error) {
	var c Conf
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("conf: %w", err)
	}
	if strings.TrimSpace(c.Resource.CKANResourceID) == "" {
		return nil, errors.New("conf: resource.ckan_resource_id is required")
	}
	if r := c.MaxRejectRatio; r != nil && (*r < 0 || *r > 1) {
		return nil, errors.New("conf: max_reject_ratio must be between 0 and 1")
	}
	if c.MaxRejects < 0 {
		return nil, errors.New("conf: max_rejects must not be negative")
	}
	return &c, nil
}

// parseSchema reads a Table Schema given as an object or as a JSON string.
// It returns nil for an absent or empty schema.
func parseSchema(raw json.RawMessage) (*frictionless.Schema, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		raw = json.RawMessage(s)
	}
	schema, err := frictionless.ReadSchema(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if len(schema.Fields) == 0 {
		return nil, errors.New("schema: it has no fields")
	}
	return schema, nil
}

// Labels returns the dataset (resource.package_id) and resource
// (resource.ckan_resource_id) a run's conf names, to set as the run's
// pipeline.RunOptions Dataset and Resource: the run's status job can then
// be found by resource (`datafactory jobs --resource ID`) and its events
// carry domain "dataset", as status-api records them. A conf that does not
// decode gives empty labels (the run itself will refuse it).
func Labels(conf json.RawMessage) (dataset, resource string) {
	var c Conf
	if json.Unmarshal(conf, &c) != nil {
		return "", ""
	}
	return c.Resource.PackageID, c.Resource.CKANResourceID
}
