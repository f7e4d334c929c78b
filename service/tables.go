package service

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/datafactory/datafactory/datastore"
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
