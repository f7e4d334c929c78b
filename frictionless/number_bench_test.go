package frictionless

import (
	"io"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkReadNumbers reads rows of three number columns (plain,
// 30-digit, exponent notation): the cost of casting numbers.
func BenchmarkReadNumbers(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("a,b,c\n")
	const n = 10_000
	for i := range n {
		s := strconv.Itoa(i)
		sb.WriteString(s + ".25,12345678901234567890." + s + ",1.5e" + strconv.Itoa(i%5) + "\n")
	}
	text := sb.String()
	s := &Schema{Fields: []Field{{Name: "a", Type: TypeNumber}, {Name: "b", Type: TypeNumber}, {Name: "c", Type: TypeNumber}}}
	b.ReportAllocs()
	for range b.N {
		rd, err := NewReader(strings.NewReader(text), s, nil)
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
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
