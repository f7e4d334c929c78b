package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/datafactory/datafactory/internal/browsertest"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// readRecords reads a CSV file without its header line.
func readRecords(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	return recs[1:]
}

// TestMigration runs the example on every database and checks that its KPI
// reports equal the data-architecture project's deliverables, apart from
// header names.
func TestMigration(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(*testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }},
		{"mysql", func(t *testing.T) string { return testutil.MySQLURL(t) }},
	} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			args := []string{"--out", out}
			if u := db.url(t); u != "" {
				args = append(args, "--db", u)
			}
			var stdout bytes.Buffer
			require.NoError(t, run(context.Background(), args, &stdout), stdout.String())
			for _, f := range []string{"req1.csv", "req2.csv"} {
				want := readRecords(t, filepath.Join("testdata", "deliverables", f))
				got := readRecords(t, filepath.Join(out, f))
				require.Equal(t, want, got, f)
			}
			html, err := os.ReadFile(filepath.Join(out, "report.html"))
			require.NoError(t, err)
			require.NotContains(t, string(html), "echarts")
			require.NotContains(t, string(html), "<script")
			require.Equal(t, 2, strings.Count(string(html), "<svg"))
			// every bar is named: the 12 departments that hired in 2021 on the
			// first chart, the 7 above the mean on the second
			require.Equal(t, 12+7, strings.Count(string(html), `class="xlabel"`))
			require.Contains(t, string(html), "Departments hiring above the 2021 mean")
			s := stdout.String()
			require.Contains(t, s, "employees     1999 rows read,  1929 written,  70 rejected")
			require.Contains(t, s, "POST /v1/tables/employees/rows → 422: 0 inserted, 1 rejected")
			require.Contains(t, s, `field hiring_date = "2027-08-29T00:0:1Z"`)
			require.Contains(t, s, "POST /v1/tables/departments/rows → 201: 1 inserted")
			require.Contains(t, s, "identical to employees")
			// 13 departments: the 12 of the history, which all hired in 2021, and
			// the one the ingest API added, which hired nobody.
			require.Contains(t, s, "GET /view/req1 → 200: 933 lines")
			require.Contains(t, s, "GET /view/req2 → 200: 7 lines")
			require.Contains(t, s, "mean of 126.38 hires (1643 hires / 13 departments")

			if db.name != "sqlite" {
				// a second run on the same database starts from scratch
				stdout.Reset()
				require.NoError(t, run(context.Background(), args, &stdout), stdout.String())
				require.Equal(t, readRecords(t, filepath.Join("testdata", "deliverables", "req2.csv")),
					readRecords(t, filepath.Join(out, "req2.csv")))
			}
		})
	}
}

func TestMigrationBadArgs(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.Error(t, run(context.Background(), []string{"--nope"}, &out))
	require.Error(t, run(context.Background(), []string{"extra"}, &out))
	require.Error(t, run(context.Background(), []string{"--db", "nosuch://x", "--out", t.TempDir()}, &out))
}

// TestReportOffline opens the KPI report in headless Chromium with the
// network cut and finds both charts drawn: non-empty SVGs with a named bar
// per department and no request leaving the file.
func TestReportOffline(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--out", out}, &stdout), stdout.String())
	b := browsertest.New(t)
	b.Offline()
	b.Do(chromedp.Navigate("file://" + filepath.Join(out, "report.html")))
	require.Equal(t, 2, browsertest.Eval[int](b, `document.querySelectorAll("section.chart svg").length`))
	// every chart has painted bars of non-zero size
	sizes := browsertest.Eval[[]float64](b, `[...document.querySelectorAll("section.chart svg")].map(s =>
		[...s.querySelectorAll("rect.bar")].reduce((a, r) => a + r.getBBox().width * r.getBBox().height, 0))`)
	require.Len(t, sizes, 2)
	for _, s := range sizes {
		require.Positive(t, s)
	}
	labels := browsertest.Eval[[]string](b, `[...document.querySelectorAll("section.chart:first-child .xlabel")].map(e => e.textContent)`)
	require.Len(t, labels, 12)
	// no two x labels of the first chart overlap, and the legend of the first
	// chart ends above the second chart's title
	overlaps := browsertest.Eval[int](b, `(() => { const r = [...document.querySelectorAll("section.chart:first-child .xlabel")].map(e => e.getBoundingClientRect());
		let n = 0; for (let i = 1; i < r.length; i++) if (r[i].left < r[i-1].right && r[i].top < r[i-1].bottom && r[i-1].top < r[i].bottom && r[i].left < r[i-1].left + 0.5*r[i-1].width) n++; return n })()`)
	require.Zero(t, overlaps)
	below := browsertest.Eval[bool](b, `document.querySelectorAll("section.chart")[0].getBoundingClientRect().bottom <= document.querySelectorAll("section.chart")[1].getBoundingClientRect().top`)
	require.True(t, below)
	require.NotEmpty(t, b.Screenshot("report"))
}
