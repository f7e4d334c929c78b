package frictionless

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// employeesCSV generates n rows shaped like employees.csv (no header,
// CRLF): id, name, RFC 3339 UTC datetime, department id, job id.
func employeesCSV(n int) []byte {
	names := []string{"Harold Vogt", "Ty Hofer", "Lyman Hadye", "Abby Peacock", "Cirstoforo Youings"}
	base := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	b.Grow(n * 48)
	for i := 1; i <= n; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(',')
		b.WriteString(names[i%len(names)])
		b.WriteByte(',')
		b.WriteString(base.Add(time.Duration(i*7919) * time.Second).Format(time.RFC3339))
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(1 + i%12))
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(1 + i%183))
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// BenchmarkReadEmployees reads, casts and validates 1M generated
// employees rows per iteration (all fields required). Run with -cpu=1.
func BenchmarkReadEmployees(b *testing.B) {
	const rows = 1_000_000
	data := employeesCSV(rows)
	for _, bc := range []struct {
		name string
		opts ReadOptions
		pk   bool
	}{
		{name: "ReuseRow", opts: ReadOptions{ReuseRow: true}},
		{name: "NewRow", opts: ReadOptions{}},
		{name: "PrimaryKey", opts: ReadOptions{ReuseRow: true}, pk: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := employeesSchema()
			if bc.pk {
				s.PrimaryKey = []string{"employee_id"}
			}
			opts := bc.opts
			opts.Dialect = noHeader()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpuStart := cpuTime()
			b.ResetTimer()
			for range b.N {
				rd, err := NewReader(bytes.NewReader(data), s, &opts)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, err := rd.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != rows {
					b.Fatalf("read %d rows, want %d", n, rows)
				}
			}
			b.StopTimer()
			elapsed := b.Elapsed().Seconds()
			b.ReportMetric(float64(rows*b.N)/elapsed, "rows/s")
			b.ReportMetric(elapsed*1e9/float64(rows*b.N), "ns/row")
			// On a shared machine wall time includes waiting for a core;
			// process CPU time shows the cost on one core.
			if cpu := (cpuTime() - cpuStart).Seconds(); cpu > 0 {
				b.ReportMetric(float64(rows*b.N)/cpu, "rows/cpu-s")
			}
		})
	}
}

// BenchmarkUniqueKeyMemory measures the heap kept per primary key: an
// integer key and a string key, over 1M rows.
func BenchmarkUniqueKeyMemory(b *testing.B) {
	const rows = 1_000_000
	data := employeesCSV(rows)
	for _, bc := range []struct {
		name string
		pk   string
	}{{"IntegerKey", "employee_id"}, {"DateTimeKey", "hiring_date"}} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				s := employeesSchema()
				s.PrimaryKey = []string{bc.pk}
				before := heapInUse()
				rd, err := NewReader(bytes.NewReader(data), s, &ReadOptions{Dialect: noHeader(), ReuseRow: true})
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := rd.Read(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
				after := heapInUse()
				b.ReportMetric(float64(after-before)/rows, "B/key")
				runtime.KeepAlive(rd)
			}
		})
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkFieldCast measures the one-off Field.Cast (which compiles the
// field on each call) on a datetime.
func BenchmarkFieldCast(b *testing.B) {
	f := &Field{Name: "at", Type: TypeDateTime, Constraints: Constraints{Required: true}}
	b.ReportAllocs()
	for range b.N {
		if _, err := f.Cast("2021-11-07T02:48:42Z"); err != nil {
			b.Fatal(err)
		}
	}
}
