package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/jmoiron/sqlx"
)

// kpiYear is the year both reports cover.
const kpiYear = 2021

// hiresByJob is one line of KPI 1: hires of a department and job per
// quarter.
type hiresByJob struct {
	Department string `db:"department_name" json:"department_name"`
	Job        string `db:"job_name" json:"job_name"`
	Q1         int    `db:"q1" json:"Q1"`
	Q2         int    `db:"q2" json:"Q2"`
	Q3         int    `db:"q3" json:"Q3"`
	Q4         int    `db:"q4" json:"Q4"`
}

// quarters returns Q1..Q4.
func (h hiresByJob) quarters() [4]int { return [4]int{h.Q1, h.Q2, h.Q3, h.Q4} }

// departmentHires is one line of KPI 2.
type departmentHires struct {
	ID    int64  `db:"department_id" json:"department_id"`
	Name  string `db:"department_name" json:"department_name"`
	Hired int    `db:"hired" json:"hired"`
}

// kpis are both reports and the mean KPI 2 compares against.
type kpis struct {
	byJob       []hiresByJob
	aboveMean   []departmentHires
	hires       int // hires in the year
	departments int // rows of the departments table
	mean        float64
}

// kpiSQL runs the data-architecture reports in the database. The dialect
// decides only how a UTC instant is written and how names sort by bytes
// (pandas' order); the queries are otherwise the same SQL everywhere.
type kpiSQL struct {
	db *sqlx.DB
	// instant writes a UTC time as a literal comparable with the stored
	// datetime column.
	instant func(time.Time) string
	// byteOrder makes a column sort by bytes.
	byteOrder func(col string) string
}

// newKPISQL reaches the store's database.
func newKPISQL(s *datastore.Store) (*kpiSQL, error) {
	var db *sqlx.DB
	if !s.As(&db) {
		return nil, errors.New("kpi: the store is not a SQL database")
	}
	k := &kpiSQL{db: db}
	switch db.DriverName() {
	case "sqlite", "sqlite3": // datetimes are stored as "2006-01-02T15:04:05.000000Z" text
		k.instant = func(t time.Time) string { return "'" + t.Format("2006-01-02T15:04:05.000000Z") + "'" }
		k.byteOrder = func(col string) string { return col }
	case "pgx", "postgres":
		k.instant = func(t time.Time) string { return "TIMESTAMPTZ '" + t.Format("2006-01-02 15:04:05") + "+00'" }
		k.byteOrder = func(col string) string { return col + ` COLLATE "C"` }
	case "mysql": // DATETIME(6) in UTC
		k.instant = func(t time.Time) string { return "TIMESTAMP '" + t.Format("2006-01-02 15:04:05") + "'" }
		k.byteOrder = func(col string) string { return "BINARY " + col }
	default:
		return nil, fmt.Errorf("kpi: unsupported driver %q", db.DriverName())
	}
	return k, nil
}

// quarter returns the first instant of quarter q (1..5) of year.
func quarter(year, q int) time.Time {
	return time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
}

// inYear is the condition "e.hiring_date is in year".
func (k *kpiSQL) inYear(year int) string {
	return fmt.Sprintf("e.hiring_date >= %s AND e.hiring_date < %s", k.instant(quarter(year, 1)), k.instant(quarter(year, 5)))
}

// hiresByJobSQL is KPI 1: hires in year per department and job per quarter,
// by department and job name in byte order. Employees whose department or
// job is unknown are left out, as pandas' groupby drops missing names.
func (k *kpiSQL) hiresByJobSQL(year int) string {
	var q [4]string
	for i := range q {
		q[i] = fmt.Sprintf("SUM(CASE WHEN e.hiring_date >= %s AND e.hiring_date < %s THEN 1 ELSE 0 END) AS q%d",
			k.instant(quarter(year, i+1)), k.instant(quarter(year, i+2)), i+1)
	}
	return "SELECT d.department_name, j.job_name, " + strings.Join(q[:], ", ") +
		" FROM employees e JOIN departments d ON d.department_id = e.department_id" +
		" JOIN jobs j ON j.job_id = e.job_id" +
		" WHERE " + k.inYear(year) +
		" GROUP BY d.department_name, j.job_name" +
		" ORDER BY " + k.byteOrder("d.department_name") + ", " + k.byteOrder("j.job_name")
}

// aboveMeanSQL is KPI 2: the departments whose hires in year are above the
// mean over ALL departments (every employee hired in the year divided by the
// number of rows of the departments table, departments that hired nobody
// included), highest first. The comparison is hired × departments > hires,
// in integers, so it is exact.
func (k *kpiSQL) aboveMeanSQL(year int) string {
	return "SELECT d.department_id, d.department_name, COUNT(*) AS hired" +
		" FROM employees e JOIN departments d ON d.department_id = e.department_id" +
		" WHERE " + k.inYear(year) +
		" GROUP BY d.department_id, d.department_name" +
		" HAVING COUNT(*) * (SELECT COUNT(*) FROM departments) > (SELECT COUNT(*) FROM employees e WHERE " + k.inYear(year) + ")" +
		" ORDER BY hired DESC, d.department_id"
}

// totalsSQL counts the year's hires and the departments, for the mean.
func (k *kpiSQL) totalsSQL(year int) string {
	return "SELECT (SELECT COUNT(*) FROM employees e WHERE " + k.inYear(year) + ") AS hires," +
		" (SELECT COUNT(*) FROM departments) AS departments"
}

// report1 runs KPI 1.
func (k *kpiSQL) report1(ctx context.Context, year int) ([]hiresByJob, error) {
	var out []hiresByJob
	if err := k.db.SelectContext(ctx, &out, k.hiresByJobSQL(year)); err != nil {
		return nil, fmt.Errorf("kpi 1: %w", err)
	}
	return out, nil
}

// report2 runs KPI 2.
func (k *kpiSQL) report2(ctx context.Context, year int) ([]departmentHires, error) {
	var out []departmentHires
	if err := k.db.SelectContext(ctx, &out, k.aboveMeanSQL(year)); err != nil {
		return nil, fmt.Errorf("kpi 2: %w", err)
	}
	return out, nil
}

// computeKPIs runs both reports of the data-architecture project and the
// mean KPI 2 compares against.
func computeKPIs(ctx context.Context, s *datastore.Store) (*kpis, error) {
	k, err := newKPISQL(s)
	if err != nil {
		return nil, err
	}
	out := &kpis{}
	if out.byJob, err = k.report1(ctx, kpiYear); err != nil {
		return nil, err
	}
	if out.aboveMean, err = k.report2(ctx, kpiYear); err != nil {
		return nil, err
	}
	var t struct {
		Hires       int `db:"hires"`
		Departments int `db:"departments"`
	}
	if err := k.db.GetContext(ctx, &t, k.totalsSQL(kpiYear)); err != nil {
		return nil, fmt.Errorf("kpi totals: %w", err)
	}
	out.hires, out.departments = t.Hires, t.Departments
	if t.Departments > 0 {
		out.mean = float64(t.Hires) / float64(t.Departments)
	}
	return out, nil
}
