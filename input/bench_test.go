package input_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/input"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// benchSchema is the schema of the generated benchmark files.
func benchSchema() *frictionless.Schema {
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger},
		{Name: "name", Type: frictionless.TypeString},
		{Name: "day", Type: frictionless.TypeDate},
		{Name: "amount", Type: frictionless.TypeNumber, Precision: 12, Scale: 2},
		{Name: "city", Type: frictionless.TypeString},
	}, PrimaryKey: []string{"id"}}
}

var cities = []string{"Oslo", "Lisbon", "Nairobi", "Lima", "Hanoi", "Perth"}

// load opens loc, reads it against benchSchema and replaces table.
func load(b *testing.B, s *datastore.Store, loc, table string, opts *input.Options) *datastore.LoadReport {
	in, err := input.Open(context.Background(), loc, opts)
	require.NoError(b, err)
	defer in.Close()
	r, err := frictionless.NewReader(in, benchSchema(), &frictionless.ReadOptions{SkipUniqueCheck: true})
	require.NoError(b, err)
	rep, err := datastore.Load(context.Background(), s, table, r, &datastore.LoadOptions{Mode: datastore.ModeReplace, MaxRejects: -1})
	require.NoError(b, err)
	return rep
}

// peakHeap samples HeapInuse until stopped and returns the largest value.
func peakHeap() (stop func() uint64) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse+m.StackInuse)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// writeSheet writes an n-row workbook with excelize's stream writer: dates
// as date cells, amounts as numbers with a display format.
func writeSheet(b *testing.B, path string, n int) {
	f := excelize.NewFile()
	defer f.Close()
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	require.NoError(b, err)
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4})
	require.NoError(b, err)
	sw, err := f.NewStreamWriter("Sheet1")
	require.NoError(b, err)
	require.NoError(b, sw.SetRow("A1", []any{"id", "name", "day", "amount", "city"}))
	day0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(b, sw.SetRow(cell, []any{i, fmt.Sprintf("Person %d", i),
			excelize.Cell{StyleID: date, Value: day0.AddDate(0, 0, i%1500)},
			excelize.Cell{StyleID: money, Value: float64(i%100000) / 100}, cities[i%len(cities)]}))
	}
	require.NoError(b, sw.Flush())
	require.NoError(b, f.SaveAs(path))
}

// BenchmarkXLSX100kRows loads a 100,000-row sheet into SQLite and reports
// the peak Go heap (in use, stacks included) during the load.
func BenchmarkXLSX100kRows(b *testing.B) {
	const n = 100000
	dir := b.TempDir()
	path := filepath.Join(dir, "big.xlsx")
	writeSheet(b, path, n)
	st, err := os.Stat(path)
	require.NoError(b, err)
	s, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.ToSlash(filepath.Join(dir, "db.sqlite")), nil)
	require.NoError(b, err)
	defer s.Close()
	var peak uint64
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
		stop := peakHeap()
		rep := load(b, s, path, "people", nil)
		peak = max(peak, stop())
		require.EqualValues(b, n, rep.Written)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// writeCSV writes an n-row CSV file and its gzip.
func writeCSV(b *testing.B, path string, n int) {
	f, err := os.Create(path)
	require.NoError(b, err)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "id,name,day,amount,city")
	day0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "%d,Person %d,%s,%d.%02d,%s\n", i, i, day0.AddDate(0, 0, i%1500).Format("2006-01-02"), i%1000, i%100, cities[i%len(cities)])
	}
	require.NoError(b, w.Flush())
	require.NoError(b, f.Close())

	src, err := os.Open(path)
	require.NoError(b, err)
	defer src.Close()
	gz, err := os.Create(path + ".gz")
	require.NoError(b, err)
	zw := gzip.NewWriter(gz)
	_, err = bufio.NewReader(src).WriteTo(zw)
	require.NoError(b, err)
	require.NoError(b, zw.Close())
	require.NoError(b, gz.Close())
}

// BenchmarkCSVGzipOverHTTPPostgres loads a 1,000,000-row file into
// PostgreSQL twice per iteration, in the same run: as .csv.gz from an
// httptest server, and uncompressed from disk; it reports both speeds and
// their ratio.
func BenchmarkCSVGzipOverHTTPPostgres(b *testing.B) {
	const n = 1000000
	pg := testutil.PostgresURL(b)
	dir := b.TempDir()
	path := filepath.Join(dir, "rows.csv")
	writeCSV(b, path, n)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	s, err := sqlstore.Open(context.Background(), pg, nil)
	require.NoError(b, err)
	defer s.Close()
	var disk, gz time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		rep := load(b, s, path, "from_disk", nil)
		disk += time.Since(start)
		require.EqualValues(b, n, rep.Written)

		start = time.Now()
		rep = load(b, s, srv.URL+"/rows.csv.gz", "from_http_gz", nil)
		gz += time.Since(start)
		require.EqualValues(b, n, rep.Written)
	}
	diskRate := float64(n) * float64(b.N) / disk.Seconds()
	gzRate := float64(n) * float64(b.N) / gz.Seconds()
	b.ReportMetric(diskRate, "disk-rows/s")
	b.ReportMetric(gzRate, "http-gz-rows/s")
	b.ReportMetric(gzRate/diskRate, "gz/disk")
}
