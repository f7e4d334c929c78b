package ckantest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// resourceShow is resource_show {id}.
func (s *Server) resourceShow(_ context.Context, c *call) (any, error) {
	f := newForm(c.data)
	id := f.str("id", true)
	for k := range c.data {
		f.known[k] = true // core actions ignore unknown keys
	}
	if err := f.finish(); err != nil {
		return nil, err
	}
	if err := s.checkResourceShow(c, id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.showResourceLocked(s.resources[id]), nil
}

// packageShow is package_show {id|name}.
func (s *Server) packageShow(_ context.Context, c *call) (any, error) {
	id := textOf(c.data["id"])
	if id == "" {
		id = textOf(c.data["name"])
	}
	if id == "" {
		return nil, fieldError("id", "Missing value")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.findDatasetLocked(id)
	if d == nil {
		return nil, notFound("")
	}
	if d.Private && !canUpdatePackageLocked(c.user, d) {
		return nil, notAuthorized(fmt.Sprintf("User %s not authorized to read package %s", c.userName(), d.ID))
	}
	resources := make([]any, 0, len(d.resourceIDs))
	for _, rid := range d.resourceIDs {
		if res, ok := s.resources[rid]; ok {
			resources = append(resources, s.showResourceLocked(res))
		}
	}
	return map[string]any{
		"id": d.ID, "name": d.Name, "title": d.Title, "owner_org": d.OwnerOrg,
		"private": d.Private, "state": "active", "type": "dataset",
		"num_resources": len(resources), "resources": resources,
	}, nil
}

// resourcePatch is resource_patch: show, merge, update. It needs
// resource_update permission and keeps datastore_active unless sent.
func (s *Server) resourcePatch(_ context.Context, c *call) (any, error) {
	id := textOf(c.data["id"])
	if id == "" {
		return nil, fieldError("id", "Missing value")
	}
	if err := s.checkResourceUpdate(c, id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.resources[id]
	for k, v := range c.data {
		switch k {
		case "id", "package_id", "position":
			continue
		}
		res[k] = v
	}
	res["last_modified"] = nowISO()
	s.aircanHookLocked(c.name, res)
	return s.showResourceLocked(res), nil
}

// resourceDelete is resource_delete {id}: it needs resource_update
// permission, removes the resource and drops its DataStore table.
func (s *Server) resourceDelete(ctx context.Context, c *call) (any, error) {
	id := textOf(c.data["id"])
	if id == "" {
		return nil, fieldError("id", "Missing value")
	}
	if err := s.checkResourceUpdate(c, id); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, ok, err := s.d.columns(ctx, tx, id); err != nil || !ok {
			return err
		}
		return s.dropTableAll(ctx, tx, id)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.resources[id]
	delete(s.resources, id)
	if d := s.datasets[textOf(res["package_id"])]; d != nil {
		for i, rid := range d.resourceIDs {
			if rid == id {
				d.resourceIDs = append(d.resourceIDs[:i], d.resourceIDs[i+1:]...)
				break
			}
		}
	}
	return nil, nil
}

// StatusCall is one aircan_status_update call as the server received it.
type StatusCall struct {
	// User is the caller's user name.
	User       string
	ResourceID string
	State      string
	Message    string
	// ErrorMessage is error.message, when an error object was sent.
	ErrorMessage string
	LastUpdated  string
	DagRunID     string
	// Data is the whole request.
	Data map[string]any
}

// StatusUpdates returns the aircan_status_update calls received, in order.
func (s *Server) StatusUpdates() []StatusCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]StatusCall(nil), s.status...)
}

// aircanStatusUpdate is ckanext-aircan's aircan_status_update. It needs
// package_create permission and stores the call.
func (s *Server) aircanStatusUpdate(_ context.Context, c *call) (any, error) {
	if !s.canCreatePackage(c) {
		return nil, notAuthorized(fmt.Sprintf("User %s not authorized to create packages", c.userName()))
	}
	f := newForm(c.data)
	resID := f.str("resource_id", true)
	state := f.str("state", true)
	for k := range c.data {
		f.known[k] = true
	}
	if err := f.finish(); err != nil {
		return nil, err
	}
	sc := StatusCall{
		User: c.userName(), ResourceID: resID, State: state,
		Message: textOf(c.data["message"]), LastUpdated: textOf(c.data["last_updated"]),
		DagRunID: textOf(c.data["dag_run_id"]), Data: c.data,
	}
	if e, ok := c.data["error"].(map[string]any); ok {
		sc.ErrorMessage = textOf(e["message"])
	}
	if sc.LastUpdated == "" {
		sc.LastUpdated = nowISO()
	}
	s.mu.Lock()
	s.status = append(s.status, sc)
	s.statusAt[resID] = time.Now()
	s.mu.Unlock()
	return map[string]any{
		"task_type": "aircan", "key": "aircan", "entity_id": resID, "entity_type": "resource",
		"state": state, "last_updated": sc.LastUpdated, "value": c.data["value"],
	}, nil
}

// aircanStatus is ckanext-aircan's aircan_status {resource_id|id}: the last
// reported state and the log of messages since the last update that sent
// clear_logs.
func (s *Server) aircanStatus(_ context.Context, c *call) (any, error) {
	id := textOf(c.data["resource_id"])
	if id == "" {
		id = textOf(c.data["id"])
	}
	if err := s.checkResourceShow(c, id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var last *StatusCall
	logs := []any{}
	for i := range s.status {
		if sc := &s.status[i]; sc.ResourceID == id {
			last = sc
			if clear, _ := sc.Data["clear_logs"].(bool); clear {
				logs = logs[:0]
			}
			logs = append(logs, map[string]any{"datetime": sc.LastUpdated, "message": sc.Message})
		}
	}
	if last == nil {
		return nil, notFound("")
	}
	var errObj any
	if last.ErrorMessage != "" {
		errObj = map[string]any{"message": last.ErrorMessage}
	}
	return map[string]any{
		"status": last.State, "last_updated": last.LastUpdated, "error": errObj,
		"dag_run_id": last.DagRunID, "logs": logs,
	}, nil
}

// errRollback makes inTx roll back and report success (dry_run).
var errRollback = errors.New("ckantest: roll back")

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Server) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		if errors.Is(err, errRollback) {
			return nil
		}
		return err
	}
	return tx.Commit()
}

// statusShow is status_show: the version reproduced (as the release the
// contract was read from) and the plugins a DataStore site with AirCan runs.
func (s *Server) statusShow(context.Context, *call) (any, error) {
	version := "2.11.5"
	if s.v210() {
		version = "2.10.10"
	}
	return map[string]any{"ckan_version": version, "site_url": s.URL(), "site_title": "ckantest",
		"site_description": "", "locale_default": "en", "extensions": []string{"datastore", "aircan_connector"}}, nil
}
