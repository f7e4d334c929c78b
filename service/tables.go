package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/datafactory/datafactory/avrobak/avrobakhttp"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ingesthttp"
	"github.com/datafactory/datafactory/frictionless"
)

// dataDictionary returns the ingest API's tables: Config.Tables plus the
// Table Schemas of Config.SchemasDir (one <table>.json each); the tables
// that do not exist are created. nil when both are empty (every existing
// table is served).
func dataDictionary(ctx context.Context, c *Config) (map[string]*frictionless.Schema, error) {
	if c.SchemasDir == "" && c.Tables == nil {
		return nil, nil
	}
	tables := map[string]*frictionless.Schema{}
	for name, schema := range c.Tables {
		tables[name] = schema
	}
	if c.SchemasDir != "" {
		paths, err := filepath.Glob(filepath.Join(c.SchemasDir, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			schema, err := frictionless.LoadSchema(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("service: schema %s: %w", p, err)
			}
			tables[strings.TrimSuffix(filepath.Base(p), ".json")] = schema
		}
	}
	for name, schema := range tables {
		err := c.Store.CreateTable(ctx, name, schema)
		if err != nil && !errors.Is(err, datastore.ErrExists) {
			return nil, fmt.Errorf("service: table %s: %w", name, err)
		}
	}
	return tables, nil
}

// ingestPatterns are the paths of the ingest API (with backups).
var ingestPatterns = []string{"/v1/tables", "/v1/tables/"}

// ingestAPI is the ingest API and the backup and restore routes over
// Config.Store (backups under the bucket's backups/ prefix).
func ingestAPI(ctx context.Context, c *Config, tables map[string]*frictionless.Schema) (http.Handler, error) {
	ih, err := ingesthttp.New(ctx, c.Store, &ingesthttp.Options{MaxBodyBytes: c.MaxBodyBytes, Tables: tables,
		Ingested: func(r *ingesthttp.RowsResponse) {
			c.Metrics.ObserveRows(r.Table, int64(r.Received), int64(r.Inserted), int64(r.Rejected))
		}})
	if err != nil {
		return nil, fmt.Errorf("service: ingest API: %w", err)
	}
	bh, err := avrobakhttp.New(c.Store, &avrobakhttp.Options{Tables: tables, Bucket: c.Bucket, Logger: c.Logger})
	if err != nil {
		return nil, fmt.Errorf("service: backup API: %w", err)
	}
	mux := http.NewServeMux()
	for _, p := range ingestPatterns {
		mux.Handle(p, ih)
	}
	for _, p := range avrobakhttp.Patterns {
		mux.Handle(p, bh)
	}
	return mux, nil
}
