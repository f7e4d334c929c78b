package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
)

// hiresByJob is one line of KPI 1: 2021 hires of a department and job per
// quarter.
type hiresByJob struct {
	Department, Job string
	Quarters        [4]int
}

// departmentHires is one line of KPI 2.
type departmentHires struct {
	ID    int64
	Name  string
	Hired int
}

// kpis are both reports and the mean KPI 2 compares against.
type kpis struct {
	byJob     []hiresByJob
	aboveMean []departmentHires
	all       []departmentHires // every department that hired in 2021, by id
	mean      float64
}

// names reads an id → name table.
func names(ctx context.Context, s *datastore.Store, table string) (map[int64]string, error) {
	m := map[int64]string{}
	_, err := s.ReadRows(ctx, table, func(r frictionless.Row) error {
		id, ok1 := r[0].(int64)
		name, ok2 := r[1].(string)
		if !ok1 || !ok2 {
			return fmt.Errorf("%s: unexpected row %v", table, r)
		}
		m[id] = name
		return nil
	})
	return m, err
}

// computeKPIs computes the two reports of the data-architecture project from
// the tables: KPI 1, hires in 2021 per department and job per quarter,
// ordered by department and job name (byte order, as pandas sorts); KPI 2, the
// departments whose 2021 hires are above the mean of the departments that
// hired in 2021, by hires, highest first.
func computeKPIs(ctx context.Context, s *datastore.Store) (*kpis, error) {
	deps, err := names(ctx, s, "departments")
	if err != nil {
		return nil, err
	}
	jobs, err := names(ctx, s, "jobs")
	if err != nil {
		return nil, err
	}
	type key struct{ dep, job int64 }
	byJob := map[key]*[4]int{}
	byDep := map[int64]int{}
	_, err = s.ReadRows(ctx, "employees", func(r frictionless.Row) error {
		t, ok := r[2].(time.Time)
		dep, ok2 := r[3].(int64)
		job, ok3 := r[4].(int64)
		if !ok || !ok2 || !ok3 {
			return fmt.Errorf("employees: unexpected row %v", r)
		}
		t = t.UTC()
		if t.Year() != 2021 {
			return nil
		}
		k := key{dep, job}
		if byJob[k] == nil {
			byJob[k] = &[4]int{}
		}
		byJob[k][(int(t.Month())-1)/3]++
		byDep[dep]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &kpis{}
	for k, q := range byJob {
		out.byJob = append(out.byJob, hiresByJob{Department: deps[k.dep], Job: jobs[k.job], Quarters: *q})
	}
	sort.Slice(out.byJob, func(i, j int) bool {
		a, b := out.byJob[i], out.byJob[j]
		if a.Department != b.Department {
			return a.Department < b.Department
		}
		return a.Job < b.Job
	})
	total := 0
	for id, n := range byDep {
		out.all = append(out.all, departmentHires{ID: id, Name: deps[id], Hired: n})
		total += n
	}
	sort.Slice(out.all, func(i, j int) bool { return out.all[i].ID < out.all[j].ID })
	if len(byDep) > 0 {
		out.mean = float64(total) / float64(len(byDep))
	}
	for _, d := range out.all {
		if float64(d.Hired) > out.mean {
			out.aboveMean = append(out.aboveMean, d)
		}
	}
	sort.SliceStable(out.aboveMean, func(i, j int) bool { return out.aboveMean[i].Hired > out.aboveMean[j].Hired })
	return out, nil
}
