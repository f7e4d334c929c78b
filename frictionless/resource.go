package frictionless

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Resource is a Data Resource descriptor.
type Resource struct {
	Name string
	// Path is a local path or an http(s) URL; relative paths resolve
	// against BasePath. Descriptors may not use absolute paths or "..".
	Path string
	// Paths holds several paths of one table (multipart); the header, if
	// any, is in the first. Path is "" when Paths is used.
	Paths []string
	// Data is inline data: a JSON array of arrays (the first is the
	// header) or of objects keyed by field name.
	Data        json.RawMessage
	Title       string
	Description string
	Format      string // e.g. "csv", "tsv"
	MediaType   string // JSON "mediatype"
	Encoding    string // "" → utf-8
	Dialect     *Dialect
	// DialectPath is set when the descriptor gives the dialect as a path.
	DialectPath string
	Schema      *Schema
	// SchemaPath is set when the descriptor gives the schema as a path or
	// URL; Open loads it when Schema is nil.
	SchemaPath string
	Bytes      int64
	Hash       string
	// Extra keeps unknown properties; they are written back unchanged.
	Extra map[string]json.RawMessage
	// BasePath is the folder or URL relative paths resolve against. It is
	// not part of the descriptor; LoadResource and LoadPackage set it.
	BasePath string
}

// UnmarshalJSON decodes a resource descriptor; unknown properties go to
// Extra. It checks syntax and types only; ReadResource also validates the
// schema.
func (r *Resource) UnmarshalJSON(data []byte) error {
	v, err := decodeResource(data, "")
	if err != nil {
		return err
	}
	*r = *v
	return nil
}

func decodeResource(data []byte, path string) (*Resource, error) {
	o, err := parseObject(data, path)
	if err != nil {
		return nil, err
	}
	r := &Resource{}
	for _, step := range []error{
		o.str("name", &r.Name), o.str("title", &r.Title), o.str("description", &r.Description),
		o.str("format", &r.Format), o.str("mediatype", &r.MediaType), o.str("encoding", &r.Encoding),
		o.integer("bytes", &r.Bytes), o.str("hash", &r.Hash), r.decodePath(o),
	} {
		if step != nil {
			return nil, step
		}
	}
	if raw, ok := o.take("data"); ok {
		r.Data = append(json.RawMessage(nil), bytes.TrimSpace(raw)...)
	}
	if raw, ok := o.take("schema"); ok {
		if json.Unmarshal(raw, &r.SchemaPath) != nil {
			if r.Schema, err = decodeSchema(raw, o.keyPath("schema")); err != nil {
				return nil, err
			}
		} else if !safeRelative(r.SchemaPath) {
			return nil, descErr(o.keyPath("schema"), "path %q must be relative, without \"..\", or a URL", r.SchemaPath)
		}
	}
	if raw, ok := o.take("dialect"); ok {
		if json.Unmarshal(raw, &r.DialectPath) != nil {
			if r.Dialect, err = decodeDialect(raw, o.keyPath("dialect")); err != nil {
				return nil, err
			}
		} else if !safeRelative(r.DialectPath) {
			return nil, descErr(o.keyPath("dialect"), "path %q must be relative, without \"..\", or a URL", r.DialectPath)
		}
	}
	r.Extra = o.rest()
	return r, nil
}

// decodePath reads "path": a string or an array of strings, each a URL or
// a safe relative path.
func (r *Resource) decodePath(o *jsonObject) error {
	raw, ok := o.take("path")
	if !ok {
		return nil
	}
	var list []string
	if err := decodeStrings(raw, o.keyPath("path"), &list, true); err != nil {
		return err
	}
	for i, p := range list {
		if !safeRelative(p) {
			at := o.keyPath("path")
			if raw[0] == '[' {
				at = indexPath(at, i)
			}
			return descErr(at, "path %q must be relative, without \"..\", or a URL", p)
		}
	}
	if raw[0] == '[' {
		r.Paths = list
	} else {
		r.Path = list[0]
	}
	return nil
}

// MarshalJSON encodes the resource, unknown properties included.
func (r Resource) MarshalJSON() ([]byte, error) {
	w := newObjWriter()
	w.str("name", r.Name)
	switch {
	case r.Path != "":
		w.value("path", r.Path)
	case r.Paths != nil:
		w.value("path", r.Paths)
	}
	if len(r.Data) > 0 {
		var c bytes.Buffer
		if err := json.Compact(&c, r.Data); err != nil {
			return nil, fmt.Errorf("encode data: %w", err)
		}
		w.raw("data", c.Bytes())
	}
	w.str("title", r.Title)
	w.str("description", r.Description)
	w.str("format", r.Format)
	w.str("mediatype", r.MediaType)
	w.str("encoding", r.Encoding)
	if r.Bytes != 0 {
		w.value("bytes", r.Bytes)
	}
	w.str("hash", r.Hash)
	switch {
	case r.Dialect != nil:
		w.value("dialect", r.Dialect)
	case r.DialectPath != "":
		w.value("dialect", r.DialectPath)
	}
	switch {
	case r.Schema != nil:
		w.value("schema", r.Schema)
	case r.SchemaPath != "":
		w.value("schema", r.SchemaPath)
	}
	w.extra(r.Extra)
	return w.bytes()
}

// validate checks the decoded resource's inline schema at path.
func (r *Resource) validate(path string) error {
	if r.Name == "" {
		return descErr(joinPath(path, "name"), "is required")
	}
	if r.Path == "" && r.Paths == nil && len(r.Data) == 0 {
		return descErr(path, "needs a path or inline data")
	}
	if r.Schema != nil {
		if _, err := r.Schema.compile(joinPath(path, "schema")); err != nil {
			return err
		}
	}
	if r.Dialect != nil {
		if _, err := r.Dialect.resolve(joinPath(path, "dialect")); err != nil {
			return err
		}
	}
	return nil
}

// ReadResource reads and validates a Data Resource descriptor. Errors
// are *DescriptorError naming the property.
func ReadResource(r io.Reader) (*Resource, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("frictionless: read resource: %w", err)
	}
	res, err := decodeResource(data, "")
	if err != nil {
		return nil, err
	}
	if err := res.validate(""); err != nil {
		return nil, err
	}
	return res, nil
}

// LoadResource reads a resource descriptor from a local path or an
// http(s) URL; relative data and schema paths resolve against its folder.
func LoadResource(ctx context.Context, pathOrURL string) (*Resource, error) {
	rc, err := openLocation(ctx, nil, pathOrURL)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	res, err := ReadResource(rc)
	if err != nil {
		return nil, err
	}
	res.BasePath = baseOf(pathOrURL)
	return res, nil
}

// Write writes the descriptor as indented JSON.
func (r *Resource) Write(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("frictionless: encode resource: %w", err)
	}
	if _, err := w.Write(indentJSON(b)); err != nil {
		return fmt.Errorf("frictionless: write resource: %w", err)
	}
	return nil
}
