package ckan

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// ResourceShow returns a resource. CKAN always includes datastore_active.
func (c *Client) ResourceShow(ctx context.Context, id string) (*Resource, error) {
	var out Resource
	if err := c.request(ctx, "resource_show", map[string]string{"id": id}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ResourcePatch changes the given keys of a resource and keeps the rest.
// patch must not contain "id"; it is set from id.
func (c *Client) ResourcePatch(ctx context.Context, id string, patch map[string]any) (*Resource, error) {
	in := make(map[string]any, len(patch)+1)
	for k, v := range patch {
		in[k] = v
	}
	in["id"] = id
	var out Resource
	if err := c.request(ctx, "resource_patch", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PackageShow returns a dataset (by id or name) with its resources.
func (c *Client) PackageShow(ctx context.Context, id string) (*Package, error) {
	var out Package
	if err := c.request(ctx, "package_show", map[string]string{"id": id}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AirCan states reported through aircan_status_update.
const (
	StatePending  = "pending"
	StateProgress = "progress"
	StateComplete = "complete"
	StateError    = "error"
)

// StatusError is the "error" object of a status update.
type StatusError struct {
	Message string `json:"message"`
}

// StatusUpdate is the input of ckanext-aircan's aircan_status_update.
type StatusUpdate struct {
	ResourceID string `json:"resource_id"`
	// State is StatePending, StateProgress, StateComplete or StateError.
	State   string `json:"state"`
	Message string `json:"message"`
	// LastUpdated is an ISO 8601 time; set by [Client.AircanStatusUpdate]
	// when empty.
	LastUpdated string       `json:"last_updated,omitempty"`
	Error       *StatusError `json:"error,omitempty"`
	DagRunID    string       `json:"dag_run_id,omitempty"`
	ClearLogs   bool         `json:"clear_logs,omitempty"`
	// Type is "info" or "error" (sent by the BigQuery DAG); optional.
	Type  string `json:"type,omitempty"`
	Value any    `json:"value,omitempty"`
}

// AircanStatusUpdate reports a load's state to ckanext-aircan. It needs a
// token with package_create permission.
func (c *Client) AircanStatusUpdate(ctx context.Context, u *StatusUpdate) error {
	in := *u
	if in.LastUpdated == "" {
		in.LastUpdated = time.Now().UTC().Format("2006-01-02T15:04:05.000000")
	}
	return c.request(ctx, "aircan_status_update", &in, nil)
}

// ResourceDelete deletes a resource (and its DataStore table). It needs
// package_update permission on the dataset.
func (c *Client) ResourceDelete(ctx context.Context, id string) error {
	return c.request(ctx, "resource_delete", map[string]string{"id": id}, nil)
}

// AircanStatus is ckanext-aircan's aircan_status answer: the last state
// reported for a resource.
type AircanStatus struct {
	Status      string `json:"status"`
	LastUpdated string `json:"last_updated"`
	DagRunID    string `json:"dag_run_id"`
	// Error is the last update's error object, if any.
	Error *StatusError `json:"error"`
}

// AircanStatus returns the last AirCan status of a resource. A resource
// without one fails with an error matching [ErrNotFound].
func (c *Client) AircanStatus(ctx context.Context, resourceID string) (*AircanStatus, error) {
	var out AircanStatus
	if err := c.request(ctx, "aircan_status", map[string]string{"resource_id": resourceID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Status is what status_show tells of a site.
type Status struct {
	// CKANVersion is the site's CKAN version, e.g. "2.11.5".
	CKANVersion string `json:"ckan_version"`
	// SiteURL is ckan.site_url.
	SiteURL string `json:"site_url"`
	// Extensions are the enabled plugins.
	Extensions []string `json:"extensions"`
}

// StatusShow returns the site's version and plugins (status_show, open to
// anyone).
func (c *Client) StatusShow(ctx context.Context) (*Status, error) {
	var out Status
	if err := c.request(ctx, "status_show", map[string]string{}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AtLeast reports whether the version is major.minor or later; a version
// that does not parse is not.
func (s *Status) AtLeast(major, minor int) bool {
	parts := strings.SplitN(s.CKANVersion, ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err1 := strconv.Atoi(parts[0])
	digits := parts[1]
	if i := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = digits[:i] // "11b1": a pre-release of 2.11
	}
	mnr, err2 := strconv.Atoi(digits)
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && mnr >= minor
}
