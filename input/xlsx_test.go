package input_test

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/input"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// workbook builds a workbook: a "Notes" sheet first, then "People" with
// typed, display-formatted cells; edit may change it before it is saved.
func workbook(t testing.TB, edit func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", "Notes"))
	require.NoError(t, f.SetCellValue("Notes", "A1", "not this one"))
	_, err := f.NewSheet("People")
	require.NoError(t, err)
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		require.NoError(t, err)
		return id
	}
	date := style(&excelize.Style{NumFmt: 14})
	dmy := "dd/mm/yyyy"
	custom := style(&excelize.Style{CustomNumFmt: &dmy})
	stamp := style(&excelize.Style{NumFmt: 22})
	hhmm := "hh:mm"
	clock := style(&excelize.Style{CustomNumFmt: &hhmm})
	money := style(&excelize.Style{NumFmt: 4}) // #,##0.00
	pct := style(&excelize.Style{NumFmt: 10})  // 0.00%
	rows := [][]any{
		{"id", "name", "born", "joined", "seen", "at", "salary", "share"},
		{1, "Ada", time.Date(1985, 12, 10, 0, 0, 0, 0, time.UTC), time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC),
			time.Date(2021, 3, 4, 13, 45, 30, 0, time.UTC), 9.0/24 + 5.0/1440, 1234567.891, 0.125},
		{},
		{2, "Grace, \"Amazing\""},
	}
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow("People", cell, &r))
	}
	for col, id := range map[string]int{"C2": date, "D2": custom, "E2": stamp, "F2": clock, "G2": money, "H2": pct} {
		require.NoError(t, f.SetCellStyle("People", col, col, id))
	}
	if edit != nil {
		edit(f)
	}
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	return writeFile(t, "book.bin", buf.Bytes()) // the name says nothing
}

const peopleCSV = "id,name,born,joined,seen,at,salary,share\n" +
	"1,Ada,1985-12-10,2021-03-04,2021-03-04 13:45:30,09:05:00,1234567.891,0.125\n" +
	"2,\"Grace, \"\"Amazing\"\"\",,,,,,\n"

func TestXLSXSheetAsCSV(t *testing.T) {
	t.Parallel()
	path := workbook(t, nil)
	in, err := input.Open(context.Background(), path, &input.Options{Sheet: "People"})
	require.NoError(t, err)
	require.Equal(t, input.FormatXLSX, in.Format)
	require.Equal(t, "People", in.Name)
	require.Equal(t, peopleCSV, readAll(t, in))
	require.NoError(t, in.Close())

	// the first sheet by default; over HTTP the workbook is spooled to disk
	srv := serve(t, mustRead(t, path))
	in, err = input.Open(context.Background(), srv.URL+"/book", nil)
	require.NoError(t, err)
	require.Equal(t, "Notes", in.Name)
	require.Equal(t, "not this one\n", readAll(t, in))
	require.NoError(t, in.Close())
}

// TestXLSXTyped reads the sheet with a schema and by inference: dates and
// numbers come out typed.
func TestXLSXTyped(t *testing.T) {
	t.Parallel()
	path := workbook(t, nil)
	in, err := input.Open(context.Background(), path, &input.Options{Sheet: "People"})
	require.NoError(t, err)
	schema, err := frictionless.Infer(in, nil)
	require.NoError(t, err)
	require.NoError(t, in.Close())
	types := map[string]frictionless.FieldType{}
	for _, f := range schema.Fields {
		types[f.Name] = f.Type
	}
	require.Equal(t, map[string]frictionless.FieldType{"id": "integer", "name": "string", "born": "date", "joined": "date",
		"seen": "datetime", "at": "time", "salary": "number", "share": "number"}, types)

	in, err = input.Open(context.Background(), path, &input.Options{Sheet: "People"})
	require.NoError(t, err)
	defer in.Close()
	r, err := frictionless.NewReader(in, schema, nil)
	require.NoError(t, err)
	row, err := r.Read()
	require.NoError(t, err)
	require.Equal(t, int64(1), row[0])
	require.Equal(t, time.Date(1985, 12, 10, 0, 0, 0, 0, time.UTC), row[2])
	require.Equal(t, time.Date(2021, 3, 4, 13, 45, 30, 0, time.UTC), row[4].(time.Time).UTC())
	require.Equal(t, "1234567.891", row[6].(frictionless.Decimal).String()) // every number is an exact decimal
	row, err = r.Read()
	require.NoError(t, err)
	require.Equal(t, `Grace, "Amazing"`, row[1])
	require.Nil(t, row[2])
	_, err = r.Read()
	require.ErrorIs(t, err, io.EOF)
}

func TestXLSXClearAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		edit func(f *excelize.File)
		want string
	}{
		{"merged", func(f *excelize.File) { require.NoError(t, f.MergeCell("People", "A4", "B4")) }, `sheet "People", range A4:B4: merged cells`},
		{"formula without value", func(f *excelize.File) { require.NoError(t, f.SetCellFormula("People", "I2", "G2*2")) }, `sheet "People", cell I2: has a formula but no computed value`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := input.Open(context.Background(), workbook(t, tt.edit), &input.Options{Sheet: "People"})
			require.ErrorIs(t, err, input.ErrSheet)
			var se *input.SheetError
			require.ErrorAs(t, err, &se)
			require.ErrorContains(t, err, tt.want)
		})
	}
	_, err := input.Open(context.Background(), workbook(t, nil), &input.Options{Sheet: "Nope"})
	require.ErrorIs(t, err, input.ErrNotFound)
	require.ErrorContains(t, err, "Notes, People")
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
