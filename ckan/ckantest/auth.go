package ckantest

import (
	"fmt"
	"net/http"
	"strings"
)

// authUser maps the token header to a user. A missing or unknown token is
// not an error: the request runs as anonymous (nil), as in CKAN 2.11, and
// the action's auth check then refuses it. The value is used raw: a
// "Bearer " prefix is not stripped.
func (s *Server) authUser(r *http.Request) *user {
	tok := r.Header.Get(s.opts.TokenHeader)
	if tok == "" && s.v210() {
		// 2.10 falls back to Authorization, ignoring values with a space.
		if a := r.Header.Get("Authorization"); !strings.Contains(a, " ") {
			tok = a
		}
	}
	if tok == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.tokens[tok]
	if !ok {
		return nil
	}
	return s.users[name]
}

// canUpdatePackageLocked is package_update auth; s.mu is held.
func canUpdatePackageLocked(u *user, d *dataset) bool {
	if u == nil {
		return false
	}
	if u.sysadmin {
		return true
	}
	for _, e := range d.Editors {
		if e == u.name {
			return true
		}
	}
	return false
}

// checkResourceUpdate is resource_update auth (package_update on the
// resource's dataset): 404 for an unknown resource, 403 when denied.
func (s *Server) checkResourceUpdate(c *call, resID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, ok := s.resources[resID]
	if !ok {
		return notFound("Resource was not found.")
	}
	d := s.datasets[textOf(res["package_id"])]
	if d == nil || !canUpdatePackageLocked(c.user, d) {
		return notAuthorized(fmt.Sprintf("User %s not authorized to edit resource %s", c.userName(), resID))
	}
	return nil
}

// checkResourceShow is resource_show auth: public datasets are readable
// by anyone, private ones by editors and sysadmins.
func (s *Server) checkResourceShow(c *call, resID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, ok := s.resources[resID]
	if !ok {
		return notFound("Resource was not found.")
	}
	d := s.datasets[textOf(res["package_id"])]
	if d == nil || d.Private && !canUpdatePackageLocked(c.user, d) {
		return notAuthorized(fmt.Sprintf("User %s not authorized to read resource %s", c.userName(), resID))
	}
	return nil
}

// canCreatePackage is package_create auth: sysadmins and users who edit at
// least one dataset (members of an organization with the editor role).
func (s *Server) canCreatePackage(c *call) bool {
	if c.user == nil {
		return false
	}
	if c.user.sysadmin {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.datasets {
		if canUpdatePackageLocked(c.user, d) {
			return true
		}
	}
	return false
}

// checkReadOnly is _check_read_only: without force, only url_type
// "datastore" resources may be written.
func (s *Server) checkReadOnly(resID string, force bool) error {
	if force {
		return nil
	}
	s.mu.Lock()
	urlType := ""
	if res, ok := s.resources[resID]; ok {
		urlType = textOf(res["url_type"])
	}
	s.mu.Unlock()
	if urlType == "datastore" {
		return nil
	}
	return fieldError("read-only", `Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.`)
}

// setDatastoreActive sets the resource's datastore_active flag.
func (s *Server) setDatastoreActive(resID string, active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, ok := s.resources[resID]; ok {
		res["datastore_active"] = active
	}
}
