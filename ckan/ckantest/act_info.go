package ckantest

import (
	"context"
	"database/sql"
	"fmt"
)

// datastoreInfo is datastore_info {resource_id|id}: meta and fields of a
// table (or the table behind an alias); _id is not listed and json columns
// show as "nested".
func (s *Server) datastoreInfo(ctx context.Context, c *call) (any, error) {
	id := textOf(c.data["id"])
	if id == "" && !s.v210() { // 2.10 accepts only "id"
		id = textOf(c.data["resource_id"])
	}
	if id == "" {
		return nil, fieldError("id", "Missing value")
	}
	var out map[string]any
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		real, err := s.resolveAlias(ctx, tx, id)
		if err != nil {
			return err
		}
		if real == "" {
			return notFound(fmt.Sprintf(`Resource/Alias "%s" was not found.`, id))
		}
		if err := s.checkResourceShow(c, real); err != nil {
			return err
		}
		out, err = s.tableInfo(ctx, tx, real, real != id)
		return err
	})
	if err != nil {
		return nil, s.dbError(err)
	}
	return out, nil
}

func (s *Server) tableInfo(ctx context.Context, tx *sql.Tx, id string, viaAlias bool) (map[string]any, error) {
	cols, _, err := s.d.columns(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	meta, err := s.loadMeta(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	count, err := s.countRows(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	size, idxSize, dbSize, err := s.d.sizes(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	aliases, err := s.aliasesOf(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	tableType := "BASE TABLE"
	if viaAlias {
		tableType = "VIEW"
	}
	fields := make([]any, len(cols))
	for i, c := range cols {
		schema := map[string]any{
			"native_type": c.typ.infoName(), "notnull": false,
			"index_name": "", "is_index": false, "uniquekey": contains(meta.primaryKey, c.name),
		}
		if contains(meta.primaryKey, c.name) {
			schema["index_name"], schema["is_index"] = meta.pkIndex, true
		}
		for j, idx := range meta.indexes {
			if contains(idx, c.name) {
				schema["index_name"], schema["is_index"] = meta.idxNames[j], true
			}
		}
		f := map[string]any{"id": c.name, "type": c.typ.infoName(), "schema": schema}
		if c.info != nil {
			f["info"] = c.info
		}
		fields[i] = f
	}
	return map[string]any{
		"meta": map[string]any{
			"id": id, "count": count, "table_type": tableType,
			"size": size, "db_size": dbSize, "idx_size": idxSize, "aliases": aliases,
		},
		"fields": fields,
	}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
