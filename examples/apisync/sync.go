package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/jmoiron/sqlx"
)

const (
	target    = "companies"
	copyTable = "companies_copy"
	pagesQ    = "pages"
	inserters = 3
)

// companiesSchema is the target table: the field mapping of the dataset
// pipeline (source keys are read exactly, "company__name" is a flat key).
func companiesSchema() *frictionless.Schema {
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "company__name", Type: frictionless.TypeString},
		{Name: "sector", Type: frictionless.TypeString},
		{Name: "created_on", Type: frictionless.TypeDate},
		{Name: "turnover", Type: frictionless.TypeNumber},
	}, PrimaryKey: []string{"id"}}
}

// syncer holds what the sync tasks share.
type syncer struct {
	store *datastore.Store
	creds hawk.Credentials
}

// pipeline builds companies_sync: fetch feeds pages to 3 inserters writing
// the copy table; swap replaces the target when all succeeded; cleanup always
// drops the copy.
func (s *syncer) pipeline() (*pipeline.Pipeline, error) {
	return pipeline.NewBuilder("companies_sync").
		ConfSchema(json.RawMessage(`{"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}`)).
		Add("fetch", pipeline.TaskFunc(s.fetch), &pipeline.TaskOptions{Feeds: []string{pagesQ}}).
		Add("create_copy", pipeline.TaskFunc(s.createCopy), nil).
		Add("insert", pipeline.TaskFunc(s.insert), &pipeline.TaskOptions{DependsOn: []string{"create_copy"}, Instances: inserters}).
		Add("swap", pipeline.TaskFunc(s.swap), &pipeline.TaskOptions{DependsOn: []string{"fetch", "insert"}}).
		Add("cleanup", pipeline.TaskFunc(s.cleanup), &pipeline.TaskOptions{DependsOn: []string{"swap"}, TriggerRule: pipeline.AllDone}).
		Build()
}

// page is the shape every API answer must have: both keys present.
type page struct {
	Results []map[string]any `json:"results"`
	Next    *string          `json:"next"`
}

// fetch follows "next" links with a Hawk-signing, response-verifying client
// and stores each page as its own file; on failure it deletes the pages it
// stored (its queue is then closed with the error, so inserters stop).
func (s *syncer) fetch(ctx context.Context, tc *pipeline.TaskContext) (err error) {
	var conf struct{ URL string }
	if err := tc.DecodeConf(&conf); err != nil {
		return pipeline.Permanent(err)
	}
	client := &http.Client{Transport: &hawk.Transport{Credentials: s.creds}}
	dir := tc.Dir()
	var stored []string
	defer func() {
		if err != nil {
			for _, name := range stored {
				_ = dir.Delete(context.WithoutCancel(ctx), name)
			}
		}
	}()
	url := &conf.URL
	for i := 0; url != nil; i++ {
		p, err := getPage(ctx, client, *url)
		if err != nil {
			return pipeline.Permanent(fmt.Errorf("page %d: %w", i+1, err))
		}
		name := fmt.Sprintf("page-%04d.json", i)
		if err := dir.PutJSON(ctx, name, p.Results); err != nil {
			return err
		}
		stored = append(stored, name)
		if err := tc.Queue(pagesQ).Put(name); err != nil {
			return err
		}
		tc.AddCounts(pipeline.Counts{RowsIn: int64(len(p.Results)), FilesOut: 1})
		url = p.Next
	}
	return nil
}

func getPage(ctx context.Context, client *http.Client, url string) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err // includes Hawk response verification failures
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET: %s", resp.Status)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw["results"] == nil || raw["next"] == nil {
		return nil, errors.New("unexpected response structure")
	}
	var p page
	dec := json.NewDecoder(bytesReader(data))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("unexpected response structure: %w", err)
	}
	return &p, nil
}

// createCopy (re)creates the copy table; a leftover of a failed run is
// dropped first.
func (s *syncer) createCopy(ctx context.Context, _ *pipeline.TaskContext) error {
	if err := s.store.DropTable(ctx, copyTable); err != nil && !errors.Is(err, datastore.ErrNotFound) {
		return err
	}
	return s.store.CreateTable(ctx, copyTable, companiesSchema())
}

// insert claims pages until the queue is drained and inserts each into the
// copy table in one transaction; every page is inserted exactly once.
func (s *syncer) insert(ctx context.Context, tc *pipeline.TaskContext) error {
	for {
		name, err := tc.Queue(pagesQ).Claim(ctx)
		if errors.Is(err, pipeline.ErrQueueClosed) {
			return nil
		}
		if err != nil {
			return pipeline.Permanent(fmt.Errorf("fetch failed: %w", err))
		}
		var rows []map[string]any
		if err := tc.TaskDir("fetch").GetJSON(ctx, name, &rows); err != nil {
			return err
		}
		if len(rows) == 0 {
			continue
		}
		rep, err := datastore.Ingest(ctx, s.store, copyTable, rows, nil)
		if err != nil {
			return err
		}
		if rep.Rejected > 0 {
			return pipeline.Permanent(fmt.Errorf("%s: %d rows refused", name, rep.Rejected))
		}
		tc.AddCounts(pipeline.Counts{RowsOut: int64(rep.Written), FilesIn: 1})
	}
}

// swap replaces the target's rows with the copy's in one transaction (as
// data-flow does: DELETE, INSERT … SELECT, DROP), creating the target first
// when it does not exist. The table names are constants of this program.
func (s *syncer) swap(ctx context.Context, tc *pipeline.TaskContext) error {
	exists, err := s.store.TableExists(ctx, target)
	if err != nil {
		return err
	}
	if !exists {
		if err := s.store.CreateTable(ctx, target, companiesSchema()); err != nil {
			return err
		}
	}
	db, q, err := sqlDB(s.store)
	if err != nil {
		return err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	res, err := tx.ExecContext(ctx, "DELETE FROM "+q(target))
	if err != nil {
		return err
	}
	deleted, _ := res.RowsAffected()
	if res, err = tx.ExecContext(ctx, "INSERT INTO "+q(target)+" SELECT * FROM "+q(copyTable)); err != nil {
		return err
	}
	inserted, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return err
	}
	tc.SetStatus("deleted", deleted)
	tc.AddCounts(pipeline.Counts{RowsOut: inserted})
	return nil
}

// cleanup drops the copy table, whatever happened.
func (s *syncer) cleanup(ctx context.Context, _ *pipeline.TaskContext) error {
	if err := s.store.DropTable(ctx, copyTable); err != nil && !errors.Is(err, datastore.ErrNotFound) {
		return err
	}
	return nil
}

// sqlDB reaches the store's database and an identifier quoter for it.
func sqlDB(s *datastore.Store) (*sqlx.DB, func(string) string, error) {
	var db *sqlx.DB
	if !s.As(&db) {
		return nil, nil, errors.New("the store is not a SQL database")
	}
	q := func(name string) string { return `"` + name + `"` }
	if db.DriverName() == "mysql" {
		q = func(name string) string { return "`" + name + "`" }
	}
	return db, q, nil
}
