package ckantest

import (
	"os"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/internal/testutil"
)

// Backend is a database a test server can keep its DataStore in.
type Backend struct {
	// Name is "sqlite" or "postgres".
	Name string
	// DSN returns the database for one test: "" for SQLite in memory, a
	// fresh PostgreSQL schema otherwise.
	DSN func(t testing.TB) string
}

// Backends returns SQLite, and PostgreSQL when the test environment names
// one (testutil.PostgresEnv).
func Backends() []Backend {
	bs := []Backend{{"sqlite", func(testing.TB) string { return "" }}}
	if os.Getenv(testutil.PostgresEnv) != "" {
		bs = append(bs, Backend{"postgres", func(t testing.TB) string { return testutil.PostgresURL(t) }})
	}
	return bs
}

// Fixture is a server with one dataset, "employees", holding a
// DataStore-only resource and an uploaded file resource, and clients for
// an editor of the dataset and for an anonymous user.
type Fixture struct {
	Server      *Server
	Editor      *ckan.Client
	Anon        *ckan.Client
	DatasetID   string
	DatastoreID string // url_type datastore
	UploadID    string // url_type upload
}

// NewFixture starts a server on be with opts (nil means defaults) and fills
// it; everything is closed when the test ends. It fails the test on error.
func NewFixture(t testing.TB, be Backend, opts *Options) *Fixture {
	t.Helper()
	o := Options{}
	if opts != nil {
		o = *opts
	}
	o.DSN = be.DSN(t)
	srv, err := New(&o)
	must(t, err)
	t.Cleanup(srv.Close)
	tok := srv.AddUser("editor", false)
	d, err := srv.AddDataset(Dataset{Name: "employees", Editors: []string{"editor"}})
	must(t, err)
	f := &Fixture{Server: srv, DatasetID: d.ID}
	f.DatastoreID, err = srv.AddResource(Resource{PackageID: d.ID, Name: "table", URLType: "datastore"})
	must(t, err)
	f.UploadID, err = srv.AddResource(Resource{PackageID: d.ID, Name: "employees.csv", URL: "http://files/employees.csv", URLType: "upload"})
	must(t, err)
	f.Editor, err = ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(tok)})
	must(t, err)
	f.Anon, err = ckan.NewClient(srv.URL(), nil)
	must(t, err)
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
