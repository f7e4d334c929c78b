package ckantest

import (
	"context"
	"database/sql"
	"fmt"
)

// createInput is datastore_create's validated input.
type createInput struct {
	resID        string
	resource     map[string]any
	force        bool
	fields       []fieldIn
	records      []any
	hasRecords   bool
	aliases      []string
	hasAliases   bool
	primaryKey   []string
	hasPK        bool
	indexes      [][]string
	hasIndexes   bool
	deleteFields bool
	calcCount    bool
	echo         map[string]any
}

// fieldIn is one entry of "fields".
type fieldIn struct {
	id      string
	typ     string
	hasType bool
	info    map[string]any
}

// datastoreCreate is datastore_create.
func (s *Server) datastoreCreate(ctx context.Context, c *call) (any, error) {
	in, err := s.parseCreate(c)
	if err != nil {
		return nil, err
	}
	if in.resource != nil {
		if in.resID, err = s.createDatastoreResource(c, in.resource); err != nil {
			return nil, err
		}
		in.echo["resource_id"] = in.resID
	} else {
		if err := s.checkResourceUpdate(c, in.resID); err != nil {
			return nil, err
		}
		if err := s.checkReadOnly(in.resID, in.force); err != nil {
			return nil, err
		}
	}
	var fieldsOut []any
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		fieldsOut, err = s.createOrAlter(ctx, tx, in)
		return err
	})
	if err != nil {
		return nil, s.dbError(err)
	}
	s.setDatastoreActive(in.resID, true)
	if fieldsOut != nil {
		in.echo["fields"] = fieldsOut
	}
	if in.resource != nil {
		in.echo["resource"], _ = s.ResourceDict(in.resID)
	}
	return in.echo, nil
}

// parseCreate validates the request like datastore_create_schema.
func (s *Server) parseCreate(c *call) (*createInput, error) {
	f := newForm(c.data)
	f.rename("id", "resource_id")
	in := &createInput{echo: map[string]any{"method": "insert"}}
	in.resID = f.str("resource_id", false)
	if res, ok := f.get("resource"); ok && res != nil {
		m, isMap := res.(map[string]any)
		if !isMap {
			f.addErr("resource", "Not a dict")
		}
		in.resource = m
	}
	in.force = f.boolean("force")
	in.aliases, in.hasAliases = f.stringList("aliases")
	in.primaryKey, in.hasPK = f.stringList("primary_key")
	in.indexes, in.hasIndexes = f.indexList("indexes")
	if !s.v210() { // delete_fields is 2.11+: junk on 2.10
		in.deleteFields = f.boolean("delete_fields")
	}
	in.calcCount = f.boolean("calculate_record_count")
	f.listOfDicts("triggers")
	rawFields, _ := f.listOfDicts("fields")
	in.fields = parseFields(f, rawFields)
	if recs, ok := f.get("records"); ok && recs != nil {
		list, isList := recs.([]any)
		if !isList {
			f.addErr("records", "Not a list of dictionaries")
		}
		in.records, in.hasRecords = list, true
	}
	if in.resID != "" && in.resource == nil {
		s.mu.Lock()
		_, exists := s.resources[in.resID]
		s.mu.Unlock()
		if !exists {
			f.addErr("resource_id", "Not found: Resource")
		}
	}
	if err := f.finish(); err != nil {
		return nil, err
	}
	switch {
	case in.resource != nil && in.resID != "":
		return nil, fieldError("resource", "resource cannot be used with resource_id")
	case in.resource == nil && in.resID == "":
		return nil, fieldError("resource_id", "resource_id or resource required")
	}
	for k, v := range c.data {
		if k != "records" && k != "connection_url" {
			in.echo[k] = v
		}
	}
	if !s.v210() {
		in.echo["delete_fields"] = in.deleteFields
	}
	in.echo["calculate_record_count"] = in.calcCount
	return in, nil
}

// indexList is list_of_strings_or_lists: items may be lists of columns.
func (f *form) indexList(key string) ([][]string, bool) {
	v, ok := f.get(key)
	if !ok || v == nil {
		return nil, false
	}
	if str, isStr := v.(string); isStr {
		var out [][]string
		for _, p := range splitList(str) {
			out = append(out, []string{p})
		}
		return out, true
	}
	list, isList := v.([]any)
	if !isList {
		f.addErr(key, "Not a list")
		return nil, false
	}
	out := make([][]string, 0, len(list))
	for _, item := range list {
		switch x := item.(type) {
		case string:
			out = append(out, []string{x})
		case []any:
			var cols []string
			for _, c := range x {
				cols = append(cols, textOf(c))
			}
			out = append(out, cols)
		default:
			f.addErr(key, "Not a string")
			return nil, false
		}
	}
	return out, true
}

// parseFields validates each "fields" entry: id is required; unknown keys
// go to __extras and are tolerated.
func parseFields(f *form, raw []map[string]any) []fieldIn {
	out := make([]fieldIn, len(raw))
	entryErrs := make([]any, len(raw))
	bad := false
	for i, m := range raw {
		fi := fieldIn{id: textOf(m["id"])}
		entryErrs[i] = map[string]any{}
		if m["id"] == nil || fi.id == "" {
			entryErrs[i] = map[string]any{"id": []string{"Missing value"}}
			bad = true
		}
		if t, ok := m["type"]; ok && t != nil {
			fi.typ, fi.hasType = textOf(t), true
		}
		if info, ok := m["info"].(map[string]any); ok {
			fi.info = info
		}
		out[i] = fi
	}
	if bad {
		f.errs["fields"] = entryErrs
	}
	return out
}

// createDatastoreResource creates the resource passed in "resource": it
// needs package_update on the dataset and gets url_type "datastore".
func (s *Server) createDatastoreResource(c *call, res map[string]any) (string, error) {
	pkgID := textOf(res["package_id"])
	if pkgID == "" {
		return "", fieldError("package_id", "Missing value")
	}
	if u, ok := res["url"]; ok && u != nil && u != "" {
		return "", fieldError("resource", "The datapusher has to be enabled.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.findDatasetLocked(pkgID)
	if d == nil {
		return "", notFound("Dataset was not found.")
	}
	if !canUpdatePackageLocked(c.user, d) {
		return "", notAuthorized(fmt.Sprintf("User %s not authorized to edit package %s", c.userName(), d.ID))
	}
	r := map[string]any{}
	for k, v := range res {
		r[k] = v
	}
	if textOf(r["id"]) == "" {
		r["id"] = newID()
	}
	r["package_id"] = d.ID
	r["url"] = "_datastore_only_resource"
	r["url_type"] = "datastore"
	if err := s.addResourceLocked(r); err != nil {
		return "", fieldError("id", err.Error())
	}
	return textOf(r["id"]), nil
}
