package ckantest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// user is a CKAN user.
type user struct {
	name     string
	sysadmin bool
}

// dataset is a CKAN dataset (package).
type dataset struct {
	Dataset
	resourceIDs []string
}

// Dataset describes a dataset to add with [Server.AddDataset].
type Dataset struct {
	// ID defaults to a new UUID.
	ID string
	// Name defaults to ID.
	Name     string
	Title    string
	OwnerOrg string
	// Private datasets are visible only to editors and sysadmins.
	Private bool
	// Editors are the user names allowed package_update on the dataset
	// (CKAN's editor or admin role in its organization).
	Editors []string
}

// Resource describes a resource to add with [Server.AddResource].
type Resource struct {
	// ID defaults to a new UUID.
	ID        string
	PackageID string
	Name      string
	URL       string
	// URLType is "upload", "datastore", "" (a link), …; the DataStore's
	// read-only guard lets only "datastore" be written without force.
	URLType string
	Format  string
	// Extras are further resource keys (hash, schema, …).
	Extras map[string]any
}

// AddUser creates a user (a sysadmin when sysadmin is true) and returns a
// new API token for it. Adding an existing name adds another token.
func (s *Server) AddUser(name string, sysadmin bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[name]; ok {
		u.sysadmin = u.sysadmin || sysadmin
	} else {
		s.users[name] = &user{name: name, sysadmin: sysadmin}
	}
	tok := newToken()
	s.tokens[tok] = name
	return tok
}

// RevokeToken makes a token unknown; requests with it then run as
// anonymous, as CKAN does with a bad token.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
}

// AddDataset adds a dataset and returns it with defaults filled.
func (s *Server) AddDataset(d Dataset) (Dataset, error) {
	if d.ID == "" {
		d.ID = newID()
	}
	if d.Name == "" {
		d.Name = d.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, other := range s.datasets {
		if other.ID == d.ID || other.Name == d.Name {
			return Dataset{}, fmt.Errorf("ckantest: dataset %q exists", d.Name)
		}
	}
	s.datasets[d.ID] = &dataset{Dataset: d}
	return d, nil
}

// AddResource adds a resource to an existing dataset and returns its id.
func (s *Server) AddResource(r Resource) (string, error) {
	if r.ID == "" {
		r.ID = newID()
	}
	res := map[string]any{}
	for k, v := range r.Extras {
		res[k] = v
	}
	res["id"], res["package_id"], res["name"], res["url"] = r.ID, r.PackageID, r.Name, r.URL
	res["url_type"], res["format"] = r.URLType, r.Format
	s.mu.Lock()
	defer s.mu.Unlock()
	return r.ID, s.addResourceLocked(res)
}

// addResourceLocked stores a resource dict; s.mu is held.
func (s *Server) addResourceLocked(res map[string]any) error {
	id, _ := res["id"].(string)
	pkgID, _ := res["package_id"].(string)
	ds, ok := s.datasets[pkgID]
	if !ok {
		return fmt.Errorf("ckantest: dataset %q not found", pkgID)
	}
	if _, dup := s.resources[id]; dup {
		return fmt.Errorf("ckantest: resource %q exists", id)
	}
	if _, ok := res["datastore_active"]; !ok {
		res["datastore_active"] = false
	}
	res["position"] = len(ds.resourceIDs)
	res["state"] = "active"
	if _, ok := res["created"]; !ok {
		res["created"] = nowISO()
	}
	s.resources[id] = res
	ds.resourceIDs = append(ds.resourceIDs, id)
	return nil
}

// ResourceDict returns a copy of a resource as resource_show would show
// it to a sysadmin.
func (s *Server) ResourceDict(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, ok := s.resources[id]
	if !ok {
		return nil, false
	}
	return s.showResourceLocked(res), true
}

// showResourceLocked renders a resource: a DataStore-only resource's url
// is its dump URL. s.mu is held.
func (s *Server) showResourceLocked(res map[string]any) map[string]any {
	out := make(map[string]any, len(res))
	for k, v := range res {
		out[k] = v
	}
	if out["url_type"] == "datastore" {
		out["url"] = s.URL() + "/datastore/dump/" + textOf(out["id"])
	}
	return out
}

// findDataset looks a dataset up by id or name; s.mu is held.
func (s *Server) findDatasetLocked(idOrName string) *dataset {
	if d, ok := s.datasets[idOrName]; ok {
		return d
	}
	for _, d := range s.datasets {
		if d.Name == idOrName {
			return d
		}
	}
	return nil
}

// Table is a DataStore table as [Server.Tables] lists it.
type Table struct {
	ResourceID string
	Aliases    []string
}

// Tables lists the DataStore tables with their aliases, ordered by
// resource id.
func (s *Server) Tables(ctx context.Context) ([]Table, error) {
	var out []Table
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.mu.Lock()
		ids := make([]string, 0, len(s.resources))
		for id := range s.resources {
			ids = append(ids, id)
		}
		s.mu.Unlock()
		sort.Strings(ids)
		for _, id := range ids {
			_, ok, err := s.d.columns(ctx, tx, id)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			aliases, err := s.aliasesOf(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, Table{ResourceID: id, Aliases: aliases})
		}
		return nil
	})
	return out, err
}
