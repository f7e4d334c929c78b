package frictionless

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func FuzzReadPackage(f *testing.F) {
	seed, err := os.ReadFile("testdata/datapackage.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"resources":[{"name":"a","data":[[1]],"schema":{"fields":[{"name":"x","type":"integer","constraints":{"enum":[1,"2"],"minimum":0}}]}}]}`))
	f.Add([]byte(`{"resources":[{"name":"a","path":["a","b"],"dialect":{"delimiter":";"}}],"x":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadPackage(bytes.NewReader(data))
		if err != nil {
			var de *DescriptorError
			if !errors.As(err, &de) {
				t.Fatalf("error is not a *DescriptorError: %v", err)
			}
			return
		}
		var first bytes.Buffer
		if err := p.Write(&first); err != nil {
			t.Fatalf("write: %v", err)
		}
		p2, err := ReadPackage(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("re-read of written package: %v\n%s", err, first.String())
		}
		var second bytes.Buffer
		if err := p2.Write(&second); err != nil {
			t.Fatalf("second write: %v", err)
		}
		if first.String() != second.String() {
			t.Fatalf("unstable round trip:\n%s\n%s", first.String(), second.String())
		}
	})
}

func FuzzReadSchema(f *testing.F) {
	seed, err := os.ReadFile("testdata/employees.schema.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, "1,a,2021-01-01T00:00:00Z,2,3")
	f.Add([]byte(`{"fields":[{"name":"a","type":"number","precision":4,"scale":1,"constraints":{"maximum":"99.5"}},{"name":"b","type":"date","format":"%d/%m/%Y"}],"missingValues":["NA"]}`), "12.5,01/02/2021")
	f.Add([]byte(`{"fields":[{"name":"a","constraints":{"pattern":"[a-c]+","minLength":1,"unique":true}},{"name":"b","type":"duration"}],"primaryKey":["a","b"]}`), "abc,P1D\nabc,P1D")
	f.Fuzz(func(t *testing.T, schema []byte, csv string) {
		s, err := ReadSchema(bytes.NewReader(schema))
		if err != nil {
			var de *DescriptorError
			if !errors.As(err, &de) {
				t.Fatalf("error is not a *DescriptorError: %v", err)
			}
			return
		}
		out, err := s.MarshalJSON()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := ReadSchema(bytes.NewReader(out)); err != nil {
			t.Fatalf("re-read of marshalled schema: %v\n%s", err, out)
		}
		rd, err := NewReader(strings.NewReader(csv), s, &ReadOptions{Dialect: noHeader()})
		if err != nil {
			t.Fatalf("valid schema rejected by NewReader: %v", err)
		}
		checkReader(t, rd, s)
	})
}

// fuzzSchema covers every type and most constraints.
func fuzzSchema() *Schema {
	return &Schema{
		Fields: []Field{
			{Name: "id", Type: TypeInteger, Constraints: Constraints{Minimum: "0"}},
			{Name: "s", Constraints: Constraints{MaxLength: intPtr(20), Pattern: `[^,]*`}},
			{Name: "n", Type: TypeNumber},
			{Name: "d", Type: TypeNumber, Precision: 6, Scale: 2},
			{Name: "b", Type: TypeBoolean},
			{Name: "date", Type: TypeDate},
			{Name: "dt", Type: TypeDateTime},
			{Name: "t", Type: TypeTime},
			{Name: "y", Type: TypeYear},
			{Name: "ym", Type: TypeYearMonth},
			{Name: "dur", Type: TypeDuration},
			{Name: "obj", Type: TypeObject},
			{Name: "arr", Type: TypeArray},
			{Name: "gp", Type: TypeGeoPoint},
			{Name: "gj", Type: TypeGeoJSON},
			{Name: "any", Type: TypeAny, Constraints: Constraints{Enum: []any{"x", "y"}}},
		},
		PrimaryKey: []string{"id"},
	}
}

func FuzzReader(f *testing.F) {
	emp, err := os.ReadFile("testdata/employees.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(emp[:2000]), false, byte(','))
	f.Add("id,s,n,d,b,date,dt,t,y,ym,dur,obj,arr,gp,gj,any\r\n"+
		`1,a,1.5,2.25,true,2021-01-01,2021-01-01T10:00:00.5+01:00,10:00:00,2021,2021-02,P1D,"{""a"":1}","[1]","1, 2","{""type"":""Point""}",x`+"\r\n"+
		"2,\"q\"\"\",NaN,-0.5,0,2021-02-28,2021-01-01 10:00:00,23:59:59Z,1999,1999-12,PT1.5S,{},[],\"0,0\",,y\n", true, byte(','))
	f.Add("\xEF\xBB\xBFdt;id\n2021-01-01T00:00:00Z;1\n;\n\"x\n", true, byte(';'))
	f.Fuzz(func(t *testing.T, data string, header bool, delim byte) {
		s := fuzzSchema()
		d := &Dialect{Header: &header, Delimiter: string(rune(delim))}
		rd, err := NewReader(strings.NewReader(data), s, &ReadOptions{Dialect: d})
		if err != nil {
			return // delimiter not allowed
		}
		rows := checkReader(t, rd, s)
		// Valid rows survive a write and a re-read unchanged.
		var buf bytes.Buffer
		w := NewWriter(&buf, s, &WriteOptions{Dialect: &Dialect{Header: &header}})
		if err := w.WriteHeader(); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatalf("write %v: %v", r, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rd2, err := NewReader(&buf, s, &ReadOptions{Dialect: &Dialect{Header: &header}})
		if err != nil {
			t.Fatal(err)
		}
		again := checkReader(t, rd2, s)
		if len(again) != len(rows) {
			t.Fatalf("re-read %d rows, wrote %d\n%q", len(again), len(rows), buf.String())
		}
		for i := range rows {
			for j := range rows[i] {
				if !sameValue(rows[i][j], again[i][j]) {
					t.Fatalf("row %d field %s: %#v became %#v", i, s.Fields[j].Name, rows[i][j], again[i][j])
				}
			}
		}
	})
}

// checkReader reads everything and checks the reader's invariants.
func checkReader(t *testing.T, rd *Reader, s *Schema) []Row {
	t.Helper()
	var rows []Row
	for {
		row, err := rd.Read()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			if row != nil || re.Reason == "" || len(re.Errors) == 0 || re.Line < 1 && re.Row > 0 {
				t.Fatalf("bad row error: %#v", re)
			}
			_ = re.Error()
			continue
		}
		if err != nil {
			t.Fatalf("fatal error on in-memory input: %v", err)
		}
		if len(row) != len(s.Fields) {
			t.Fatalf("row has %d values for %d fields", len(row), len(s.Fields))
		}
		rows = append(rows, append(Row(nil), row...))
	}
	st := rd.Stats()
	if st.Rows != st.Valid+st.Invalid || st.Valid != int64(len(rows)) {
		t.Fatalf("inconsistent stats %+v with %d rows", st, len(rows))
	}
	return rows
}

// sameValue compares cast values: times by instant and offset, NaN equal
// to NaN.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		_, xo := x.Zone()
		_, yo := y.Zone()
		return ok && x.Equal(y) && xo == yo
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	}
	return reflect.DeepEqual(a, b)
}
