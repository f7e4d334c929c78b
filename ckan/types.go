package ckan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Record is one DataStore row. Numbers decoded from CKAN are json.Number,
// so numeric values keep every digit.
type Record map[string]any

// Field is a DataStore column as datastore_create takes it and
// datastore_search returns it.
type Field struct {
	// ID is the column name.
	ID string `json:"id"`
	// Type is a PostgreSQL type name (text, int, numeric, timestamp, …).
	// Empty asks datastore_create to guess it from the first record.
	Type string `json:"type,omitempty"`
	// Info is the Data Dictionary entry (label, notes, type_override).
	Info map[string]any `json:"info,omitempty"`
}

// StringList is a list parameter that CKAN accepts either as a JSON list or
// as a comma-separated string (aliases, primary_key, indexes, fields).
// A nil list is left out of requests; an empty, non-nil list is sent as ""
// which CKAN reads as "remove" (e.g. primary_key:"" drops the unique key).
type StringList []string

// MarshalJSON writes a list, or "" for an empty list.
func (l StringList) MarshalJSON() ([]byte, error) {
	if len(l) == 0 {
		return []byte(`""`), nil
	}
	return json.Marshal([]string(l))
}

// UnmarshalJSON reads a list or a comma-separated string.
func (l *StringList) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*l = splitComma(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("want a list of strings or a comma-separated string: %w", err)
	}
	*l = list
	return nil
}

func splitComma(s string) StringList {
	out := StringList{}
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Links is datastore_search's "_links".
type Links struct {
	Start string `json:"start"`
	Next  string `json:"next"`
	Prev  string `json:"prev,omitempty"`
}

// Resource is a CKAN resource as resource_show returns it. Extra holds
// every key of the answer, including the typed ones.
type Resource struct {
	ID              string         `json:"id"`
	PackageID       string         `json:"package_id"`
	Name            string         `json:"name"`
	URL             string         `json:"url"`
	URLType         string         `json:"url_type"`
	Format          string         `json:"format"`
	Hash            string         `json:"hash"`
	DatastoreActive bool           `json:"datastore_active"`
	Extra           map[string]any `json:"-"`
}

// UnmarshalJSON fills the typed fields and Extra.
func (r *Resource) UnmarshalJSON(b []byte) error {
	type plain Resource
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if err := unmarshalNumbers(b, &p.Extra); err != nil {
		return err
	}
	*r = Resource(p)
	return nil
}

// Package is a CKAN dataset as package_show returns it. Extra holds every
// key of the answer.
type Package struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Title     string         `json:"title"`
	OwnerOrg  string         `json:"owner_org"`
	Private   bool           `json:"private"`
	State     string         `json:"state"`
	Resources []Resource     `json:"resources"`
	Extra     map[string]any `json:"-"`
}

// UnmarshalJSON fills the typed fields and Extra.
func (p *Package) UnmarshalJSON(b []byte) error {
	type plain Package
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if err := unmarshalNumbers(b, &v.Extra); err != nil {
		return err
	}
	*p = Package(v)
	return nil
}

// unmarshalNumbers decodes b into v keeping numbers as json.Number.
func unmarshalNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
