package aircan

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/datafactory/datafactory/ckan"
)

// DefaultMaxDownloadBytes bounds a downloaded file (xloader's
// max_content_length).
const DefaultMaxDownloadBytes = 1_000_000_000

// Credentials are the secrets of one CKAN site.
type Credentials struct {
	// APIKey is the API token sent to the site. It needs resource_update
	// on the resource and package_create (for aircan_status_update).
	APIKey ckan.Secret
	// PostgresURL is the DataStore's write database
	// (ckan.datastore.write_url), needed by aircan_load_with_postgres_copy.
	PostgresURL ckan.Secret
}

// Config configures the pipeline. Secrets live here, never in the run
// conf: the conf is stored with the run. nil means defaults (no site, no
// credentials: every run must name a site, and writes are anonymous).
type Config struct {
	// SiteURL is the CKAN site that APIKey and PostgresURL belong to, e.g.
	// "https://ckan.example.org". A conf without ckan_config.site_url
	// loads into it. Default none.
	SiteURL string
	// APIKey and PostgresURL are SiteURL's credentials.
	APIKey      ckan.Secret
	PostgresURL ckan.Secret
	// Sites returns the credentials of other sites, by site URL (without a
	// trailing slash). A conf naming a site that is neither SiteURL nor
	// known here is refused, so a key is never sent to a site it does not
	// belong to. Default none.
	Sites func(siteURL string) (Credentials, bool)
	// FileRoot is the directory local paths (resource.path without a URL
	// scheme, or file://) must be in; relative paths resolve against it.
	// Default "": local paths are refused.
	FileRoot string
	// HTTPClient downloads files and, unless Client sets its own, calls
	// CKAN. Default: for downloads a client without a timeout (the run's
	// context bounds them), for CKAN ckanstore's default.
	HTTPClient *http.Client
	// Client tunes the CKAN client (retries, waits, request limits). Its
	// Token is ignored. Default: ckanstore's defaults.
	Client *ckan.ClientOptions
	// MaxDownloadBytes bounds the downloaded file. Default
	// DefaultMaxDownloadBytes.
	MaxDownloadBytes int64
	// FirstUpdateDelay is how long fetch_resource waits, counted from its
	// start, before the run's first status update. ckanext-aircan records
	// its own "pending" (with clear_logs) only after the trigger returns;
	// an earlier "progress" would be wiped or overtaken. Default
	// DefaultFirstUpdateDelay; a negative value sends at once.
	FirstUpdateDelay time.Duration
}

// DefaultFirstUpdateDelay is the default Config.FirstUpdateDelay.
const DefaultFirstUpdateDelay = time.Second

// withDefaults returns a filled copy.
func (c *Config) withDefaults() Config {
	var o Config
	if c != nil {
		o = *c
	}
	if o.MaxDownloadBytes <= 0 {
		o.MaxDownloadBytes = DefaultMaxDownloadBytes
	}
	switch {
	case o.FirstUpdateDelay == 0:
		o.FirstUpdateDelay = DefaultFirstUpdateDelay
	case o.FirstUpdateDelay < 0:
		o.FirstUpdateDelay = 0
	}
	return o
}

// String describes the configuration with its secrets redacted.
func (c Config) String() string {
	return fmt.Sprintf("aircan.Config{SiteURL:%q APIKey:%s PostgresURL:%s FileRoot:%q MaxDownloadBytes:%d}",
		c.SiteURL, c.APIKey, c.PostgresURL, c.FileRoot, c.MaxDownloadBytes)
}

// GoString is the %#v form, redacted like String.
func (c Config) GoString() string { return c.String() }

// normalizeSite checks a site URL and returns it without a trailing slash,
// with a lower-case scheme and host.
func normalizeSite(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("site URL %q: want http(s)://host", redactURL(raw))
	}
	if u.User != nil {
		return "", errors.New("site URL: user information is not accepted; the API key comes from the configuration")
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

// site picks the site of a run and its credentials.
func (c *Config) site(confSite string) (string, Credentials, error) {
	var own string
	if c.SiteURL != "" {
		s, err := normalizeSite(c.SiteURL)
		if err != nil {
			return "", Credentials{}, fmt.Errorf("configured %w", err)
		}
		own = s
	}
	if strings.TrimSpace(confSite) == "" {
		if own == "" {
			return "", Credentials{}, errors.New("no CKAN site: the conf has no ckan_config.site_url and none is configured")
		}
		return own, Credentials{APIKey: c.APIKey, PostgresURL: c.PostgresURL}, nil
	}
	s, err := normalizeSite(confSite)
	if err != nil {
		return "", Credentials{}, fmt.Errorf("ckan_config.site_url: %w", err)
	}
	if s == own {
		return s, Credentials{APIKey: c.APIKey, PostgresURL: c.PostgresURL}, nil
	}
	if c.Sites != nil {
		if cred, ok := c.Sites(s); ok {
			return s, cred, nil
		}
	}
	return "", Credentials{}, fmt.Errorf("CKAN site %s has no configured credentials (configured site: %q); "+
		"a key is only sent to its own site", s, own)
}

// newClient returns a CKAN client for a site.
func (c *Config) newClient(site string, cred Credentials) (*ckan.Client, error) {
	var o ckan.ClientOptions
	if c.Client != nil {
		o = *c.Client
	}
	o.Token = cred.APIKey
	if o.HTTPClient == nil {
		o.HTTPClient = c.HTTPClient
	}
	return ckan.NewClient(site, &o)
}

// siteConn is a run's site: its URL, credentials, client and scrubber.
type siteConn struct {
	site   string
	cred   Credentials
	client *ckan.Client
	scrub  scrubber
}

// connect picks the site of a run's conf (site) and builds its client.
// When only the client fails, the returned siteConn still names the site
// and scrubs its secrets.
func (c *Config) connect(confSite string) (*siteConn, error) {
	site, cred, err := c.site(confSite)
	if err != nil {
		return nil, err
	}
	sc := &siteConn{site: site, cred: cred, scrub: c.newScrubber(cred)}
	sc.client, err = c.newClient(site, cred)
	return sc, err
}

// downloadClient is the HTTP client of downloads.
func (c *Config) downloadClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{}
}

// scrubber removes secrets from text that is about to be stored, logged
// or reported.
type scrubber []string

// newScrubber collects the secrets of cred and of the configuration,
// with the passwords of database URLs.
func (c *Config) newScrubber(cred Credentials) scrubber {
	var s scrubber
	for _, v := range []ckan.Secret{c.APIKey, c.PostgresURL, cred.APIKey, cred.PostgresURL} {
		if v == "" {
			continue
		}
		s = append(s, v.Reveal())
		if u, err := url.Parse(v.Reveal()); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && len(pw) >= 4 {
				s = append(s, pw)
			}
		}
	}
	return s
}

// scrub replaces every secret in msg.
func (s scrubber) scrub(msg string) string {
	for _, v := range s {
		msg = strings.ReplaceAll(msg, v, "[redacted]")
	}
	return msg
}

// redactURL returns a URL fit for messages and metadata: no user
// information, no query (signed URLs carry tokens there), no fragment.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
