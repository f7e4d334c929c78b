package frictionless

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// employeesSchema is the explicit schema of the data-architecture
// employees.csv (no header): all fields required, hiring_date a datetime.
func employeesSchema() *Schema {
	req := Constraints{Required: true}
	return &Schema{Fields: []Field{
		{Name: "employee_id", Type: TypeInteger, Constraints: req},
		{Name: "employee_name", Type: TypeString, Constraints: req},
		{Name: "hiring_date", Type: TypeDateTime, Constraints: req},
		{Name: "department_id", Type: TypeInteger, Constraints: req},
		{Name: "job_id", Type: TypeInteger, Constraints: req},
	}}
}

func noHeader() *Dialect {
	h := false
	return &Dialect{Header: &h}
}

func TestReadEmployees(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/employees.csv")
	require.NoError(t, err)
	rd, err := NewReader(f, employeesSchema(), &ReadOptions{Dialect: noHeader()})
	require.NoError(t, err)
	defer rd.Close()

	var valid []Row
	var rowErrs []*RowError
	perField := map[string]int{}
	for {
		row, err := rd.Read()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			require.Nil(t, row)
			require.Len(t, re.Errors, 1, "row %d", re.Row)
			require.Equal(t, "value is required", re.Reason)
			require.Empty(t, re.Value)
			require.Equal(t, re.Row, re.Line, "no header: line equals row")
			require.Len(t, re.Raw, 5)
			perField[re.Field]++
			rowErrs = append(rowErrs, re)
			continue
		}
		require.NoError(t, err)
		valid = append(valid, append(Row(nil), row...))
	}
	require.Len(t, valid, 1929)
	require.Len(t, rowErrs, 70)
	require.Equal(t, map[string]int{"employee_name": 19, "hiring_date": 14, "department_id": 21, "job_id": 16}, perField)
	st := rd.Stats()
	require.Equal(t, ReadStats{Rows: 1999, Valid: 1929, Invalid: 70, Bytes: st.Bytes}, st)
	fi, err := os.Stat("testdata/employees.csv")
	require.NoError(t, err)
	require.Equal(t, fi.Size(), st.Bytes)

	first := valid[0]
	require.Equal(t, Row{int64(1), "Harold Vogt", time.Date(2021, 11, 7, 2, 48, 42, 0, time.UTC), int64(2), int64(96)}, first)
	// Row 2 lacks its job_id: `2,Ty Hofer,2021-05-30T05:43:46Z,8,`.
	require.Equal(t, 2, rowErrs[0].Row)
	require.Equal(t, "job_id", rowErrs[0].Field)
	require.Equal(t, `row 2 (line 2): field "job_id": value is required`, rowErrs[0].Error())
}
