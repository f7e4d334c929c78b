package tasks

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/ckan/aircan"
)

// AirCanConfig is ckan_load's configuration from the connections of opts:
// the site named CKANSite with its API key and DataStore write URL, every
// other CKAN site of the set by URL, and the file root named CKANFileRoot.
func AirCanConfig(opts *Options) (*aircan.Config, error) {
	o := opts.withDefaults()
	var cfg aircan.Config
	if o.AirCan != nil {
		cfg = *o.AirCan
	}
	cfg.SiteURL, cfg.APIKey, cfg.PostgresURL, cfg.FileRoot, cfg.Sites = "", "", "", "", nil
	if o.CKANSite != "" {
		site, err := o.Connections.CKANSite(o.CKANSite)
		if err != nil {
			return nil, fmt.Errorf("tasks: ckan_load: %w", err)
		}
		cfg.SiteURL, cfg.APIKey, cfg.PostgresURL = site.URL, site.APIKey, site.DatastoreURL
	}
	if o.CKANFileRoot != "" {
		dir, ok := o.Connections.Roots[o.CKANFileRoot]
		if !ok {
			return nil, fmt.Errorf("tasks: ckan_load: no file root named %q", o.CKANFileRoot)
		}
		cfg.FileRoot = dir
	}
	sites := o.Connections.CKANSites
	cfg.Sites = func(siteURL string) (aircan.Credentials, bool) {
		for _, s := range sites {
			if sameSite(s.URL, siteURL) {
				return aircan.Credentials{APIKey: s.APIKey, PostgresURL: s.DatastoreURL}, true
			}
		}
		return aircan.Credentials{}, false
	}
	return &cfg, nil
}

// sameSite compares two site URLs by scheme, host and path, ignoring case
// of scheme and host and a trailing slash.
func sameSite(a, b string) bool {
	ua, errA := url.Parse(strings.TrimRight(a, "/"))
	ub, errB := url.Parse(strings.TrimRight(b, "/"))
	if errA != nil || errB != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.Path == ub.Path
}
