package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/pipeline/tasks"
)

// The operator's connections: what run confs, pipeline specs and HTTP
// requests may name. The command line is the operator's own: a URL or
// path given as an argument is used as given, while a conf only names
// these connections.
const (
	// EnvConnections is the path of a JSON connections file (see
	// connection.Config): named databases, CKAN sites, buckets, file roots
	// and allowed hosts, with secrets named by environment variable.
	// --connections overrides it.
	EnvConnections = "DATAFACTORY_CONNECTIONS"
	// EnvFileRoot is the file root named "default": the directory confs
	// may read sources from (relative paths resolve against it).
	EnvFileRoot = "DATAFACTORY_FILE_ROOT"
	// EnvAllowHosts lists hosts (comma-separated, host or host:port) a conf
	// may name in a raw postgres:// or mysql:// URL instead of a
	// connection; no password is ever sent to them.
	EnvAllowHosts = "DATAFACTORY_ALLOW_HOSTS"
)

// Names of the connections made from single environment variables.
const (
	// ckanConnection is the CKAN site of DATAFACTORY_CKAN_SITE_URL.
	ckanConnection = "ckan"
	// ckanRootConnection is the file root of DATAFACTORY_CKAN_FILE_ROOT.
	ckanRootConnection = "ckan_files"
)

// connections returns the operator's connections: the --connections file
// (or $DATAFACTORY_CONNECTIONS), then the connections named "default"
// from DATAFACTORY_DB_URL (with DATAFACTORY_DB_PASSWORD),
// DATAFACTORY_BUCKET_URL and DATAFACTORY_FILE_ROOT, the CKAN site "ckan"
// from DATAFACTORY_CKAN_SITE_URL (with DATAFACTORY_CKAN_API_KEY and
// DATAFACTORY_CKAN_DATASTORE_URL) and the root "ckan_files" from
// DATAFACTORY_CKAN_FILE_ROOT. A file entry wins over the environment's.
func (m *Main) connections() (*connection.Set, error) {
	if m.conns != nil {
		return m.conns, nil
	}
	set := &connection.Set{}
	if path := orDefault(m.connFile, m.Getenv(EnvConnections)); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("connections: %w", err)
		}
		if set, err = connection.ParseConfig(data, m.Getenv); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := m.envConnections(set); err != nil {
		return nil, err
	}
	if err := set.Validate(); err != nil {
		return nil, err
	}
	m.conns = set
	return set, nil
}

// envConnections adds the connections of single environment variables.
func (m *Main) envConnections(set *connection.Set) error {
	def := connection.DefaultName
	if u := m.Getenv(EnvDBURL); u != "" {
		db, err := m.operatorDatabase("env:" + EnvDBURL)
		if err != nil {
			return err
		}
		addIfMissing(&set.Databases, def, db)
	}
	if u := m.Getenv(EnvBucketURL); u != "" {
		addIfMissing(&set.Buckets, def, connection.Bucket{URL: u})
	}
	if dir := m.Getenv(EnvFileRoot); dir != "" {
		addIfMissing(&set.Roots, def, dir)
	}
	if dir := m.Getenv(EnvCKANFileRoot); dir != "" {
		addIfMissing(&set.Roots, ckanRootConnection, dir)
	}
	if site := m.Getenv(EnvCKANSiteURL); site != "" {
		addIfMissing(&set.CKANSites, ckanConnection, connection.CKANSite{URL: site,
			APIKey: connection.Secret(m.Getenv(EnvCKANAPIKey)), DatastoreURL: connection.Secret(m.Getenv(EnvCKANDatastoreURL))})
	}
	for h := range strings.SplitSeq(m.Getenv(EnvAllowHosts), ",") {
		if h = strings.TrimSpace(h); h != "" {
			set.AllowHosts = append(set.AllowHosts, h)
		}
	}
	return nil
}

func addIfMissing[V any](m *map[string]V, name string, v V) {
	if *m == nil {
		*m = map[string]V{}
	}
	if _, ok := (*m)[name]; !ok {
		(*m)[name] = v
	}
}

// taskOptions are the built-in task types' options over the connections.
func (m *Main) taskOptions() (*tasks.Options, error) {
	set, err := m.connections()
	if err != nil {
		return nil, err
	}
	o := &tasks.Options{Connections: set, Loaded: m.loaded}
	if _, ok := set.CKANSites[ckanConnection]; ok {
		o.CKANSite = ckanConnection
	}
	if _, ok := set.Roots[ckanRootConnection]; ok {
		o.CKANFileRoot = ckanRootConnection
	}
	return o, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
