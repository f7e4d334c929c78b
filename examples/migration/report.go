package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/datafactory/datafactory/datastore"
)

// writeReports computes the KPIs and writes req1.csv, req2.csv and
// report.html into dir (a new temporary directory when dir is "").
func writeReports(ctx context.Context, s *datastore.Store, dir string, out io.Writer) error {
	k, err := computeKPIs(ctx, s)
	if err != nil {
		return err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "datafactory-migration-reports-*"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	req1 := [][]string{{"department_name", "job_name", "Q1", "Q2", "Q3", "Q4"}}
	for _, r := range k.byJob {
		row := []string{r.Department, r.Job}
		for _, q := range r.quarters() {
			row = append(row, strconv.Itoa(q))
		}
		req1 = append(req1, row)
	}
	req2 := [][]string{{"department_id", "department_name", "hired"}}
	for _, d := range k.aboveMean {
		req2 = append(req2, []string{strconv.FormatInt(d.ID, 10), d.Name, strconv.Itoa(d.Hired)})
	}
	files := map[string][][]string{"req1.csv": req1, "req2.csv": req2}
	for _, name := range []string{"req1.csv", "req2.csv"} {
		if err := writeCSV(filepath.Join(dir, name), files[name]); err != nil {
			return err
		}
	}
	if err := writeHTML(filepath.Join(dir, "report.html"), k); err != nil {
		return err
	}
	fmt.Fprintln(out, "4. KPI reports")
	fmt.Fprintf(out, "   req1: %d department/job lines of 2021 hires per quarter\n", len(k.byJob))
	fmt.Fprintf(out, "   req2: %d departments above the 2021 mean of %.2f hires (%d hires / %d departments, those that hired nobody included)\n",
		len(k.aboveMean), k.mean, k.hires, k.departments)
	for _, name := range []string{"req1.csv", "req2.csv", "report.html"} {
		fmt.Fprintf(out, "   %s\n", filepath.Join(dir, name))
	}
	return nil
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// reportPage is the KPI report: self-contained HTML, its charts drawn as
// SVG on the server, no script and nothing fetched from another host.
var reportPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>data-architecture KPIs, 2021</title>
<style>body{font-family:sans-serif;margin:1em}section{margin:0 0 2em}</style>
</head><body>
{{range .}}<section class="chart">{{.SVG}}</section>
{{end}}</body></html>
`))

// writeHTML renders two charts: 2021 hires per department and quarter
// (stacked), and the departments above the mean with the mean marked.
func writeHTML(path string, k *kpis) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := reportPage.Execute(f, []barChart{quarterChart(k), aboveMeanChart(k)}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func quarterChart(k *kpis) barChart {
	var deps []string
	sums := map[string]*[4]int{}
	for _, r := range k.byJob {
		if sums[r.Department] == nil {
			sums[r.Department] = &[4]int{}
			deps = append(deps, r.Department)
		}
		for q, n := range r.quarters() {
			sums[r.Department][q] += n
		}
	}
	c := barChart{Title: "2021 hires per department and quarter", Subtitle: "KPI 1 (req1.csv), summed over jobs", Labels: deps}
	for q := 0; q < 4; q++ {
		vals := make([]int, 0, len(deps))
		for _, d := range deps {
			vals = append(vals, sums[d][q])
		}
		c.Series = append(c.Series, barSeries{Name: fmt.Sprintf("Q%d", q+1), Values: vals, Color: paletteColor(q)})
	}
	return c
}

func aboveMeanChart(k *kpis) barChart {
	mean := k.mean
	c := barChart{Title: "Departments hiring above the 2021 mean",
		Subtitle: fmt.Sprintf("KPI 2 (req2.csv); mean %.2f hires over %d departments", k.mean, k.departments),
		Mean:     &mean}
	vals := make([]int, 0, len(k.aboveMean))
	for _, d := range k.aboveMean {
		c.Labels = append(c.Labels, d.Name)
		vals = append(vals, d.Hired)
	}
	c.Series = []barSeries{{Name: "hired", Values: vals, Color: paletteColor(0)}}
	return c
}
