package aircan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// allTypes has a field of every Table Schema type.
func allTypes() *frictionless.Schema {
	f := func(name string, t frictionless.FieldType) frictionless.Field {
		return frictionless.Field{Name: name, Type: t}
	}
	dec := f("dec", frictionless.TypeNumber)
	dec.Precision, dec.Scale = 21, 10
	dmy := f("dmy", frictionless.TypeDate)
	dmy.Format = "%d/%m/%Y"
	return &frictionless.Schema{Fields: []frictionless.Field{
		f("s", frictionless.TypeString), f("i", frictionless.TypeInteger), f("n", frictionless.TypeNumber), dec,
		f("b", frictionless.TypeBoolean), f("d", frictionless.TypeDate), dmy, f("t", frictionless.TypeTime),
		f("dt", frictionless.TypeDateTime), f("y", frictionless.TypeYear), f("ym", frictionless.TypeYearMonth),
		f("du", frictionless.TypeDuration), f("o", frictionless.TypeObject), f("a", frictionless.TypeArray),
		f("g", frictionless.TypeGeoPoint), f("any", frictionless.TypeAny),
	}}
}

const allTypesCSV = `s,i,n,dec,b,d,dmy,t,dt,y,ym,du,o,a,g,any
"héllo, ""x""",-9223372036854775808,1.5e300,12345678901.0123456789,true,2024-02-29,31/12/1999,23:59:59.123456,2021-11-07T02:48:42.5+02:00,2021,2021-07,P1DT2H,"{""k"": [1, 2.50]}","[1, ""a""]","-122.1,45.5",x
,9223372036854775807,NaN,-0.5,false,0001-01-01,01/01/2000,00:00:00Z,2021-01-01T00:00:00Z,0005,1999-12,PT0S,{},[],"0,0",
`

// TestJSONLRoundTrip: typed rows survive the JSON lines exactly, even for
// fields whose CSV format is not the canonical one.
func TestJSONLRoundTrip(t *testing.T) {
	t.Parallel()
	schema := allTypes()
	r, err := frictionless.NewReader(strings.NewReader(allTypesCSV), schema, nil)
	require.NoError(t, err)
	var rows []frictionless.Row
	var buf bytes.Buffer
	w := newJSONLWriter(&buf, schema)
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		rows = append(rows, row)
		require.NoError(t, w.Write(row))
	}
	require.NoError(t, w.Flush())
	require.Len(t, rows, 2)
	require.Equal(t, 2, bytes.Count(buf.Bytes(), []byte("\n")))
	require.True(t, strings.HasPrefix(buf.String(), `{"s":"héllo, \"x\"","i":-9223372036854775808,"n":"15`+strings.Repeat("0", 299)+`","dec":"12345678901.0123456789"`), buf.String())

	jr := newJSONLReader(&buf, schema)
	for i, want := range rows {
		got, err := jr.Read()
		require.NoError(t, err)
		for j := range schema.Fields {
			f := &schema.Fields[j]
			require.IsType(t, want[j], got[j], f.Name)
			ws, err := f.FormatValue(want[j])
			require.NoError(t, err)
			gs, err := f.FormatValue(got[j])
			require.NoError(t, err)
			require.Equal(t, ws, gs, "row %d field %s", i, f.Name)
		}
	}
	_, err = jr.Read()
	require.ErrorIs(t, err, io.EOF)
}

func TestJSONLReaderErrors(t *testing.T) {
	t.Parallel()
	schema := allTypes()
	for in, want := range map[string]string{
		`{"i": "x"}`:          `line 1: field "i"`,
		`{"b": "yes"}`:        `field "b"`,
		`{"d": "2024-13-01"}`: `field "d"`,
		`{"t": "25:00:00"}`:   `field "t"`,
		`{"i": 1} [`:          `line 2`,
	} {
		jr := newJSONLReader(strings.NewReader(in), schema)
		var err error
		for err == nil {
			_, err = jr.Read()
		}
		require.ErrorContains(t, err, want, in)
	}
}

// FuzzJSONLReader: any input gives rows or errors, never a panic, and the
// rows it gives write back to lines that read the same.
func FuzzJSONLReader(f *testing.F) {
	f.Add(`{"s":"a","i":1,"n":2.5,"b":true,"d":"2024-01-02","dt":"2024-01-02T03:04:05Z","o":{"k":1},"a":[1]}`)
	f.Add(`{"dec":"1e3","t":"10:00:00+01:00","ym":"2021-07-01","y":2021}` + "\n" + `{}`)
	f.Add(`{"n":"NaN"}`)
	schema := allTypes()
	f.Fuzz(func(t *testing.T, in string) {
		jr := newJSONLReader(strings.NewReader(in), schema)
		for range 100 {
			row, err := jr.Read()
			if err != nil {
				return
			}
			var buf bytes.Buffer
			w := newJSONLWriter(&buf, schema)
			if err := w.Write(row); err != nil {
				return // e.g. a float the JSON encoder refuses
			}
			require.NoError(t, w.Flush())
			again, err := newJSONLReader(&buf, schema).Read()
			require.NoError(t, err, buf.String())
			require.Equal(t, fmt.Sprint(row), fmt.Sprint(again))
		}
	})
}
