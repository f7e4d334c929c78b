package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/datafactory/datafactory/datastore"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/components"
	"github.com/go-echarts/go-echarts/v2/opts"
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

// writeHTML renders two charts: 2021 hires per department and quarter
// (stacked), and the departments above the mean with the mean marked.
func writeHTML(path string, k *kpis) error {
	page := components.NewPage()
	page.SetPageTitle("data-architecture KPIs, 2021")
	page.AddCharts(quarterChart(k), aboveMeanChart(k))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := page.Render(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func quarterChart(k *kpis) *charts.Bar {
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
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: "2021 hires per department and quarter", Subtitle: "KPI 1 (req1.csv), summed over jobs"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		charts.WithInitializationOpts(opts.Initialization{Width: "1100px", Height: "500px"}),
	)
	bar.SetXAxis(deps)
	for q := 0; q < 4; q++ {
		items := make([]opts.BarData, 0, len(deps))
		for _, d := range deps {
			items = append(items, opts.BarData{Value: sums[d][q]})
		}
		bar.AddSeries(fmt.Sprintf("Q%d", q+1), items, charts.WithBarChartOpts(opts.BarChart{Stack: "hires"}))
	}
	return bar
}

func aboveMeanChart(k *kpis) *charts.Bar {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: "Departments hiring above the 2021 mean",
			Subtitle: fmt.Sprintf("KPI 2 (req2.csv); mean %.2f hires over %d departments", k.mean, k.departments)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithInitializationOpts(opts.Initialization{Width: "1100px", Height: "450px"}),
	)
	var names []string
	items := make([]opts.BarData, 0, len(k.aboveMean))
	for _, d := range k.aboveMean {
		names = append(names, d.Name)
		items = append(items, opts.BarData{Value: d.Hired})
	}
	bar.SetXAxis(names).AddSeries("hired", items,
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "mean", YAxis: k.mean}))
	return bar
}
