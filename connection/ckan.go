package connection

import (
	"context"
	"fmt"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/ckanstore"
)

// CKANSite is a CKAN site with its secrets.
type CKANSite struct {
	// URL is the site, e.g. "https://ckan.example.org". Required.
	URL string
	// APIKey is the API token sent to URL, and to no other host. Default
	// none (anonymous).
	APIKey Secret
	// DatastoreURL is the DataStore's write database
	// (ckan.datastore.write_url, a postgres:// URL with its password).
	// When set, replace loads go straight to PostgreSQL. Default none.
	DatastoreURL Secret
	// PackageID is the dataset in which tables are created when the site
	// is used as a store. Default none: every table must be in Resources.
	PackageID string
	// Resources maps table names to existing resource ids. Default none.
	Resources map[string]string
	// ChunkBytes bounds the records of each DataStore write request, so a
	// proxy's body limit in front of the site (nginx's 1 MiB
	// client_max_body_size) is never hit. Default ckan.DefaultChunkBytes.
	ChunkBytes int
}

// String describes the site without its secrets.
func (c CKANSite) String() string { return printable(c.URL) }

// Client returns a client for the site carrying its API key. opts tunes
// retries and limits; its Token is replaced. nil means defaults.
func (c CKANSite) Client(opts *ckan.ClientOptions) (*ckan.Client, error) {
	var o ckan.ClientOptions
	if opts != nil {
		o = *opts
	}
	o.Token = c.APIKey
	cl, err := ckan.NewClient(c.URL, &o)
	if err != nil {
		return nil, fmt.Errorf("CKAN site %s: %w", c, err)
	}
	return cl, nil
}

// OpenStore returns the site's DataStore as a table store (see
// [ckanstore.Open]).
func (c CKANSite) OpenStore(context.Context) (*datastore.Store, error) {
	cl, err := c.Client(nil)
	if err != nil {
		return nil, err
	}
	s, err := ckanstore.Open(cl, &ckanstore.StoreOptions{PackageID: c.PackageID, Resources: c.Resources,
		PostgresURL: c.DatastoreURL.Reveal(), ChunkBytes: c.ChunkBytes})
	if err != nil {
		return nil, fmt.Errorf("open CKAN site %s: %w", c, err)
	}
	return s, nil
}
