package main

import (
	_ "embed"
	"net/http"
	"net/http/httptest"

	"github.com/datafactory/datafactory/ckan/ckantest"
)

//go:embed testdata/employees.csv
var employeesCSV []byte

// site is an in-process CKAN: ckantest's action API, plus the resource's
// upload served from the site (as CKAN serves /dataset/…/download/…).
type site struct {
	ckan  *ckantest.Server
	hs    *httptest.Server
	resID string
	dsID  string
}

func newSite() (*site, error) {
	s := &site{ckan: ckantest.NewServer(nil)}
	s.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/uploads/employees.csv" {
			w.Header().Set("Content-Type", "text/csv")
			_, _ = w.Write(employeesCSV)
			return
		}
		s.ckan.Handler().ServeHTTP(w, r)
	}))
	ds, err := s.ckan.AddDataset(ckantest.Dataset{Name: "hr-2021", Title: "Hired employees 2021"})
	if err != nil {
		s.close()
		return nil, err
	}
	s.dsID = ds.ID
	s.resID, err = s.ckan.AddResource(ckantest.Resource{PackageID: ds.ID, Name: "employees.csv", URLType: "upload",
		Format: "CSV", URL: s.url() + "/uploads/employees.csv"})
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *site) url() string { return s.hs.URL }

func (s *site) close() {
	s.hs.Close()
	s.ckan.Close()
}
