package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// kpiFixture is a small HR data set in which department 3 hired nobody in
// 2021 (only in 2020 and 2022). 2021 hires: department 1: 3, department 2:
// 2, so the mean over all three departments is 5/3 and both are above it;
// over the departments that hired (5/2) department 2 would not be.
var kpiFixture = map[string]string{
	"departments": "department_id,department_name\n1,Support\n2,Engineering\n3,Legal\n",
	"jobs":        "job_id,job_name\n1,Analyst\n2,analyst\n",
	"employees": "employee_id,employee_name,hiring_date,department_id,job_id\n" +
		"1,A,2021-01-01T00:00:00Z,1,1\n" +
		"2,B,2021-03-31T23:59:59Z,1,2\n" +
		"3,C,2021-12-31T23:59:59Z,1,1\n" +
		"4,D,2021-04-01T00:00:00Z,2,1\n" +
		"5,E,2021-07-15T12:00:00Z,2,1\n" +
		"6,F,2020-12-31T23:59:59Z,3,1\n" +
		"7,G,2022-01-01T00:00:00Z,3,1\n",
}

func loadFixture(t *testing.T, s *datastore.Store) {
	t.Helper()
	for _, tb := range tables() {
		r, err := frictionless.NewReader(strings.NewReader(kpiFixture[tb.name]), tb.schema, nil)
		require.NoError(t, err)
		rep, err := datastore.Load(context.Background(), s, tb.name, r, &datastore.LoadOptions{Mode: datastore.ModeReplace})
		require.NoError(t, err)
		require.Zero(t, rep.Rejected)
	}
}

// getJSON GETs path with the token and decodes the answer.
func getJSON(t *testing.T, base, path, token string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

// TestKPIViewsAllDepartments checks both views on every database with a
// department that hired nobody in the year.
func TestKPIViewsAllDepartments(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "kpi.db")) }},
		{"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }},
		{"mysql", func(t *testing.T) string { return testutil.MySQLURL(t) }},
	} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := sqlstore.Open(ctx, db.url(t), nil)
			require.NoError(t, err)
			defer s.Close()
			loadFixture(t, s)
			srv := httptest.NewServer(viewHandler(s, "tok"))
			defer srv.Close()

			var req2 []departmentHires
			require.Equal(t, http.StatusOK, getJSON(t, srv.URL, "/view/req2", "tok", &req2))
			require.Equal(t, []departmentHires{{ID: 1, Name: "Support", Hired: 3}, {ID: 2, Name: "Engineering", Hired: 2}}, req2)

			var req1 []hiresByJob
			want1 := []hiresByJob{ // byte order: "Analyst" < "analyst"
				{Department: "Engineering", Job: "Analyst", Q2: 1, Q3: 1},
				{Department: "Support", Job: "Analyst", Q1: 1, Q4: 1},
				{Department: "Support", Job: "analyst", Q1: 1},
			}
			require.Equal(t, http.StatusOK, getJSON(t, srv.URL, "/view/req1", "tok", &req1))
			require.Equal(t, want1, req1)

			k, err := computeKPIs(ctx, s)
			require.NoError(t, err)
			require.Equal(t, 5, k.hires)
			require.Equal(t, 3, k.departments)
			require.InDelta(t, 5.0/3, k.mean, 1e-9)

			// A 2021 hire in an unknown department counts in the mean (6/3 = 2,
			// as the original divides all the year's hires), so department 2's
			// 2 hires are no longer above it; KPI 1 leaves the hire out.
			emp := tables()[2]
			r, err := frictionless.NewReader(strings.NewReader("employee_id,employee_name,hiring_date,department_id,job_id\n8,H,2021-05-05T05:05:05Z,9,1\n"), emp.schema, nil)
			require.NoError(t, err)
			_, err = datastore.Load(ctx, s, "employees", r, nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, getJSON(t, srv.URL, "/view/req2", "tok", &req2))
			require.Equal(t, []departmentHires{{ID: 1, Name: "Support", Hired: 3}}, req2)
			require.Equal(t, http.StatusOK, getJSON(t, srv.URL, "/view/req1", "tok", &req1))
			require.Equal(t, want1, req1)

			require.Equal(t, http.StatusUnauthorized, getJSON(t, srv.URL, "/view/req2", "wrong", nil))
			require.Equal(t, http.StatusNotFound, getJSON(t, srv.URL, "/view/req3", "tok", nil))
		})
	}
}
