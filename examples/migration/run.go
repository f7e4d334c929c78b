package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/storage"
)

// data holds the historical files and the new records (see testdata/README.md).
//
//go:embed testdata/*.csv testdata/new_records/*.csv
var data embed.FS

// config is the example's command line.
type config struct {
	db  string // database URL; "" → SQLite in the work directory
	out string // report directory; "" → a new temporary directory (kept)
}

func parseArgs(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("migration", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.db, "db", "", "database URL (postgres://…, mysql://…); default SQLite in a temporary directory")
	fs.StringVar(&c.out, "out", "", "directory for the reports; default a new temporary directory")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return &c, nil
}

// run is the whole example; main and the tests call it.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	c, err := parseArgs(args, stdout)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "datafactory-migration-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work) // the database (SQLite), the backup bucket
	store, err := openStore(ctx, c.db, work)
	if err != nil {
		return err
	}
	defer store.Close()
	if c.db != "" {
		if err := dropTables(ctx, store); err != nil {
			return err
		}
	}
	if err := loadHistory(ctx, store, stdout); err != nil {
		return err
	}
	bucket, err := storage.Open(ctx, "file://"+filepath.ToSlash(mustMkdir(work, "bucket")))
	if err != nil {
		return err
	}
	defer bucket.Close()
	api, err := startAPI(ctx, store, bucket)
	if err != nil {
		return err
	}
	defer api.Close()
	if err := ingestNewRecords(ctx, api, stdout); err != nil {
		return err
	}
	if err := backupAndRestore(ctx, api, store, bucket, stdout); err != nil {
		return err
	}
	if err := writeReports(ctx, store, c.out, stdout); err != nil {
		return err
	}
	return getViews(ctx, api, stdout)
}

// openStore opens --db, or a SQLite file in dir.
func openStore(ctx context.Context, db, dir string) (*datastore.Store, error) {
	if db == "" {
		db = "sqlite://" + filepath.ToSlash(filepath.Join(dir, "migration.db"))
	} else if pw := os.Getenv("DATAFACTORY_DB_PASSWORD"); pw != "" {
		if u, err := url.Parse(db); err == nil && u.User != nil {
			u.User = url.UserPassword(u.User.Username(), pw)
			db = u.String()
		}
	}
	s, err := sqlstore.Open(ctx, db, nil)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// exampleTables are the tables the example creates.
var exampleTables = []string{"departments", "jobs", "employees", "employees_restored",
	"departments__rejects", "jobs__rejects", "employees__rejects"}

// dropTables removes the example's tables left by an earlier run.
func dropTables(ctx context.Context, s *datastore.Store) error {
	for _, t := range exampleTables {
		if err := s.DropTable(ctx, t); err != nil && !errors.Is(err, datastore.ErrNotFound) {
			return err
		}
	}
	return nil
}

func mustMkdir(parent, name string) string {
	p := filepath.Join(parent, name)
	_ = os.MkdirAll(p, 0o755)
	return p
}
