package ckantest

import (
	"context"
	"database/sql"
	"fmt"
)

// datastoreUpsert is datastore_upsert: validate, resource_update auth, the
// read-only guard, then the write in one transaction (rolled back for
// dry_run). The answer echoes the request, records included; "method"
// appears only when it was sent.
func (s *Server) datastoreUpsert(ctx context.Context, c *call) (any, error) {
	f := newForm(c.data)
	f.rename("id", "resource_id")
	resID := f.str("resource_id", true)
	recordsRaw, _ := f.get("records")
	method := f.str("method", false)
	if method != "" && method != "upsert" && method != "insert" && method != "update" {
		f.addErr("method", "Value must be one of ['upsert', 'insert', 'update']")
	}
	if method == "" {
		method = "upsert"
	}
	force := f.boolean("force")
	f.boolean("calculate_record_count")
	dryRun := f.boolean("dry_run")
	if err := f.finish(); err != nil {
		return nil, err
	}
	if err := s.checkResourceUpdate(c, resID); err != nil {
		return nil, err
	}
	if err := s.checkReadOnly(resID, force); err != nil {
		return nil, err
	}
	var records []any
	if recordsRaw != nil {
		list, ok := recordsRaw.([]any)
		if !ok {
			return nil, fieldError("records", `row "0" is not a json object`)
		}
		records = list
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cols, ok, err := s.d.columns(ctx, tx, resID)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(fmt.Sprintf(`Resource "%s" was not found.`, resID))
		}
		meta, err := s.loadMeta(ctx, tx, resID)
		if err != nil {
			return err
		}
		if err := s.writeRecords(ctx, tx, resID, cols, meta, records, method); err != nil {
			return err
		}
		if dryRun {
			return errRollback
		}
		return nil
	})
	if err != nil {
		return nil, s.dbError(err)
	}
	out := map[string]any{}
	for k, v := range c.data {
		if k != "force" {
			out[k] = v
		}
	}
	return out, nil
}
