package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
)

// CKAN targets read their secrets from these environment variables.
const (
	// EnvCKANAPIKey is the CKAN API token of ckan+http(s):// targets.
	EnvCKANAPIKey = "DATAFACTORY_CKAN_API_KEY"
	// EnvCKANDatastoreURL is the DataStore's write database
	// (ckan.datastore.write_url); when set, replace loads into CKAN go
	// straight to PostgreSQL and are atomic.
	EnvCKANDatastoreURL = "DATAFACTORY_CKAN_DATASTORE_URL"
)

// openStore opens a table store from a URL argument: a database URL (see
// resolveURL) or a CKAN site as
//
//	ckan+https://ckan.example.org/?package_id=DATASET[&resources=table:resource_id,…]
//
// whose tables are DataStore tables of the dataset (or of the mapped
// resources), with the API token from DATAFACTORY_CKAN_API_KEY.
func (m *Main) openStore(ctx context.Context, arg string) (*datastore.Store, error) {
	if site, ok := strings.CutPrefix(arg, "ckan+"); ok {
		return m.openCKAN(site)
	}
	u, err := m.resolveURL(arg)
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(u), err)
	}
	return s, nil
}

func (m *Main) openCKAN(site string) (*datastore.Store, error) {
	u, err := url.Parse(site)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("CKAN target: want ckan+http(s)://host/?package_id=…")
	}
	if u.User != nil {
		return nil, errSecretInArgs
	}
	q := u.Query()
	opts := &ckanstore.StoreOptions{PackageID: q.Get("package_id"), PostgresURL: m.Getenv(EnvCKANDatastoreURL)}
	if r := q.Get("resources"); r != "" {
		opts.Resources = map[string]string{}
		for _, pair := range strings.Split(r, ",") {
			table, id, ok := strings.Cut(pair, ":")
			if !ok || table == "" || id == "" {
				return nil, fmt.Errorf("CKAN target: resources=%q: want table:resource_id,…", r)
			}
			opts.Resources[table] = id
		}
	}
	u.RawQuery = ""
	c, err := ckan.NewClient(strings.TrimSuffix(u.String(), "/"), &ckan.ClientOptions{
		Token: ckan.Secret(m.Getenv(EnvCKANAPIKey))})
	if err != nil {
		return nil, err
	}
	s, err := ckanstore.Open(c, opts)
	if err != nil {
		return nil, fmt.Errorf("open CKAN %s: %w", u.Redacted(), err)
	}
	return s, nil
}
