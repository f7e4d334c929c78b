package connection

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Config is the JSON form of a Set, as an operator writes it in a
// configuration file. Secrets are never written in it: each is named by
// the environment variable that holds it (the operator's environment, read
// once by ParseConfig).
//
//	{
//	  "databases": {"warehouse": {"url": "postgres://etl@db:5432/dw", "password_env": "DW_PASSWORD"}},
//	  "ckan_sites": {"portal": {"url": "https://ckan.example.org", "api_key_env": "CKAN_API_KEY",
//	                            "datastore_url_env": "CKAN_DATASTORE_URL"}},
//	  "buckets": {"runs": {"url": "file:///var/lib/datafactory"}},
//	  "roots": {"uploads": "/srv/uploads"},
//	  "allow_hosts": ["replica.internal:5432"]
//	}
type Config struct {
	Databases map[string]struct {
		URL         string `json:"url"`
		PasswordEnv string `json:"password_env,omitempty"`
	} `json:"databases,omitempty"`
	CKANSites map[string]struct {
		URL             string            `json:"url"`
		APIKeyEnv       string            `json:"api_key_env,omitempty"`
		DatastoreURLEnv string            `json:"datastore_url_env,omitempty"`
		PackageID       string            `json:"package_id,omitempty"`
		Resources       map[string]string `json:"resources,omitempty"`
		ChunkBytes      int               `json:"chunk_bytes,omitempty"`
	} `json:"ckan_sites,omitempty"`
	Buckets map[string]struct {
		URL string `json:"url"`
	} `json:"buckets,omitempty"`
	Roots      map[string]string `json:"roots,omitempty"`
	AllowHosts []string          `json:"allow_hosts,omitempty"`
}

// ParseConfig reads a configuration (see [Config]), takes the secrets it
// names from getenv, and validates the result. Unknown fields are errors.
// A database URL must not carry a password itself. Errors never contain a
// secret.
func ParseConfig(data []byte, getenv func(string) string) (*Set, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("connection: configuration: %w", err)
	}
	s := &Set{Roots: c.Roots, AllowHosts: c.AllowHosts,
		Databases: map[string]Database{}, CKANSites: map[string]CKANSite{}, Buckets: map[string]Bucket{}}
	for name, d := range c.Databases {
		db, err := ParseDatabase(d.URL)
		if err != nil {
			return nil, fmt.Errorf("connection: database %s: %w", name, err)
		}
		if db.Password != "" {
			return nil, fmt.Errorf("connection: database %s: the URL carries a password; name its variable in password_env", name)
		}
		db.Password = Secret(env(getenv, d.PasswordEnv))
		s.Databases[name] = db
	}
	for name, k := range c.CKANSites {
		s.CKANSites[name] = CKANSite{URL: k.URL, APIKey: Secret(env(getenv, k.APIKeyEnv)),
			DatastoreURL: Secret(env(getenv, k.DatastoreURLEnv)), PackageID: k.PackageID, Resources: k.Resources, ChunkBytes: k.ChunkBytes}
	}
	for name, b := range c.Buckets {
		s.Buckets[name] = Bucket(b)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func env(getenv func(string) string, name string) string {
	if name == "" || getenv == nil {
		return ""
	}
	return getenv(name)
}
