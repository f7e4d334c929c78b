package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/jmoiron/sqlx"
)

const target = "companies"

// companiesSchema is the target table.
func companiesSchema() *frictionless.Schema {
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "name", Type: frictionless.TypeString},
		{Name: "sector", Type: frictionless.TypeString},
		{Name: "created_on", Type: frictionless.TypeDate},
		{Name: "turnover", Type: frictionless.TypeNumber, Precision: 14, Scale: 2},
	}, PrimaryKey: []string{"id"}}
}

// companiesMapping is the dataset pipeline's field mapping: source keys are
// literal flat keys ("company__name" is not a nested path); the other
// columns read the key of their own name.
var companiesMapping = []httpsource.FieldMap{{Source: "company__name", Column: "name"}}

// syncer holds what the sync task needs.
type syncer struct {
	store *datastore.Store
	creds hawk.Credentials
}

// pipeline builds companies_sync: one task that reads every page of the
// Hawk-authenticated API and replaces the table with the rows. The replace
// is data-flow's copy table and swap, done by datastore.Load: the rows go
// to a staging table that replaces the target only when every page was read
// and verified.
func (s *syncer) pipeline() (*pipeline.Pipeline, error) {
	return pipeline.NewBuilder("companies_sync").
		ConfSchema(json.RawMessage(`{"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}`)).
		Add("sync", pipeline.TaskFunc(s.sync), nil).
		Build()
}

// sync loads the API into the target.
func (s *syncer) sync(ctx context.Context, tc *pipeline.TaskContext) error {
	var conf struct{ URL string }
	if err := tc.DecodeConf(&conf); err != nil {
		return pipeline.Permanent(err)
	}
	src, err := httpsource.New(conf.URL, &httpsource.Options{
		Auth:         httpsource.Hawk{Credentials: s.creds},
		RetryWaitMin: 50 * time.Millisecond, RetryWaitMax: time.Second,
	})
	if err != nil {
		return pipeline.Permanent(err)
	}
	rows, err := src.Rows(ctx, companiesSchema(), &httpsource.RowOptions{Mapping: companiesMapping})
	if err != nil {
		return pipeline.Permanent(err)
	}
	defer rows.Close()
	rep, err := datastore.Load(ctx, s.store, target, rows, &datastore.LoadOptions{Mode: datastore.ModeReplace, MaxRejects: -1})
	tc.SetStatus("pages", rows.Pages())
	tc.AddCounts(pipeline.Counts{RowsIn: rep.Read, RowsOut: rep.Written})
	if err != nil {
		// A page that fails Hawk verification or a bad record will fail
		// again: no retry.
		return pipeline.Permanent(err)
	}
	return nil
}

// sqlDB reaches the store's database and an identifier quoter for it, for
// the view pipeline. Names are checked against the datastore's allow-list
// before they are quoted.
func sqlDB(s *datastore.Store) (*sqlx.DB, func(string) (string, error), error) {
	var db *sqlx.DB
	if !s.As(&db) {
		return nil, nil, errors.New("the store is not a SQL database")
	}
	open, end := `"`, `"`
	if db.DriverName() == "mysql" {
		open, end = "`", "`"
	}
	q := func(name string) (string, error) {
		if err := datastore.ValidateTableName(name); err != nil {
			return "", fmt.Errorf("view: %w", err)
		}
		return open + name + end, nil
	}
	return db, q, nil
}
