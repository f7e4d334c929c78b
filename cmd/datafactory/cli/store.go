package cli

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore"
)

// CKAN targets read their secrets from these environment variables.
const (
	// EnvCKANAPIKey is the CKAN API token of ckan+http(s):// targets and
	// of the CKAN site "ckan".
	EnvCKANAPIKey = "DATAFACTORY_CKAN_API_KEY"
	// EnvCKANDatastoreURL is the DataStore's write database
	// (ckan.datastore.write_url); when set, replace loads into CKAN go
	// straight to PostgreSQL and are atomic.
	EnvCKANDatastoreURL = "DATAFACTORY_CKAN_DATASTORE_URL"
)

// openStore opens the store of a command-line argument (see operatorStore).
func (m *Main) openStore(ctx context.Context, arg string) (*datastore.Store, error) {
	c, err := m.operatorStore(arg)
	if err != nil {
		return nil, err
	}
	return c.OpenStore(ctx)
}

// operatorStore turns a command-line store argument into a connection: the
// name of a configured connection, a database URL (see resolveURL) or a
// CKAN site as
//
//	ckan+https://ckan.example.org/?package_id=DATASET[&resources=table:resource_id,…][&chunk_bytes=N]
//
// whose tables are DataStore tables of the dataset (or of the mapped
// resources), with the API token from DATAFACTORY_CKAN_API_KEY.
func (m *Main) operatorStore(arg string) (connection.Store, error) {
	if site, ok := strings.CutPrefix(arg, "ckan+"); ok {
		return m.ckanArg(site)
	}
	if connection.ValidName(arg) {
		set, err := m.connections()
		if err != nil {
			return nil, err
		}
		return set.Store(arg)
	}
	return m.operatorDatabase(arg)
}

// operatorDatabase turns a database URL argument into a connection.
func (m *Main) operatorDatabase(arg string) (connection.Database, error) {
	u, err := m.resolveURL(arg)
	if err != nil {
		return connection.Database{}, err
	}
	return connection.ParseDatabase(u)
}

// ckanArg is the CKAN site of a ckan+http(s):// argument.
func (m *Main) ckanArg(site string) (connection.CKANSite, error) {
	u, err := url.Parse(site)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return connection.CKANSite{}, fmt.Errorf("CKAN target: want ckan+http(s)://host/?package_id=…")
	}
	if u.User != nil {
		return connection.CKANSite{}, errSecretInArgs
	}
	q := u.Query()
	for k := range q {
		if k != "package_id" && k != "resources" && k != "chunk_bytes" {
			return connection.CKANSite{}, fmt.Errorf("CKAN target: unknown parameter %q (want package_id, resources, chunk_bytes)", k)
		}
	}
	c := connection.CKANSite{PackageID: q.Get("package_id"),
		APIKey: connection.Secret(m.Getenv(EnvCKANAPIKey)), DatastoreURL: connection.Secret(m.Getenv(EnvCKANDatastoreURL))}
	if r := q.Get("resources"); r != "" {
		c.Resources = map[string]string{}
		for _, pair := range strings.Split(r, ",") {
			table, id, ok := strings.Cut(pair, ":")
			if !ok || table == "" || id == "" {
				return connection.CKANSite{}, fmt.Errorf("CKAN target: resources=%q: want table:resource_id,…", r)
			}
			c.Resources[table] = id
		}
	}
	if b := q.Get("chunk_bytes"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil || n < 1 || n > ckan.DefaultMaxRequestBytes {
			return connection.CKANSite{}, fmt.Errorf("CKAN target: chunk_bytes=%q: want 1..%d", b, ckan.DefaultMaxRequestBytes)
		}
		c.ChunkBytes = n
	}
	u.RawQuery = ""
	c.URL = strings.TrimSuffix(u.String(), "/")
	return c, nil
}
