package datastoretest

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// hostile names: each is refused with ErrInvalidName or stored verbatim.
var hostileNames = []struct {
	name        string
	tableOK     bool // accepted as a table name
	columnOK    bool // accepted as a column name
	description string
}{
	{`quo"te`, false, true, "double quote"},
	{"back`tick", false, true, "backtick"},
	{"it's", false, true, "single quote"},
	{"a; DROP TABLE people; --", false, true, "semicolon and comment"},
	{"x--y", false, true, "SQL comment"},
	{"select", true, true, "reserved word"},
	{"order", true, true, "reserved word"},
	{"Données_été", true, true, "unicode letters"},
	{"名前", true, true, "CJK"},
	{"MixedCase", true, true, "case kept"},
	{"with space", false, true, "space"},
	{strings.Repeat("a", 200), false, false, "200 characters"},
	{"", false, false, "empty"},
	{"nul\x00byte", false, false, "NUL byte"},
	{"new\nline", false, false, "newline"},
	{" lead", false, false, "leading space"},
	{"1abc", false, true, "leading digit"},
	{"\xff\xfe", false, false, "invalid UTF-8"},
}

// testTableNames loads into each hostile table name: refused with a clear
// error, or stored and read back under exactly that name.
func testTableNames(t *testing.T, b *bundle) {
	for i, tc := range hostileNames {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, err := b.load(t, tc.name, people(), peopleCSV("1,ann,1"), nil)
			if !tc.tableOK {
				require.ErrorIs(t, err, datastore.ErrInvalidName, tc.description)
				require.ErrorContains(t, err, "table name", tc.description)
				return
			}
			require.NoError(t, err, tc.description)
			require.Equal(t, map[int64]string{1: "ann"}, byID(t, b.rows(t, tc.name)))
			names, err := b.h.ListTables(b.ctx, b.s)
			require.NoError(t, err)
			require.Contains(t, names, tc.name)
		})
	}
	// Nothing else was created: people does not exist.
	ok, err := b.s.TableExists(b.ctx, "people")
	require.NoError(t, err)
	require.False(t, ok)
}

// testColumnNames creates columns with hostile names; accepted ones are
// stored verbatim and their values read back.
func testColumnNames(t *testing.T, b *bundle) {
	for i, tc := range hostileNames {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			schema := &frictionless.Schema{Fields: []frictionless.Field{
				{Name: "id", Type: frictionless.TypeInteger},
				{Name: tc.name, Type: frictionless.TypeString},
			}, PrimaryKey: []string{"id"}}
			table := fmt.Sprintf("cols_%d", i)
			rep, err := datastore.Load(b.ctx, b.s, table, &sliceReader{schema: schema, rows: []frictionless.Row{{int64(1), "v;'\"--"}}}, nil)
			if !tc.columnOK {
				require.ErrorIs(t, err, datastore.ErrInvalidName, tc.description)
				require.ErrorContains(t, err, "column name", tc.description)
				return
			}
			require.NoError(t, err, tc.description)
			require.EqualValues(t, 1, rep.Written)
			desc, err := b.s.DescribeTable(b.ctx, table)
			require.NoError(t, err)
			require.Equal(t, []string{"id", tc.name}, desc.FieldNames())
			rows := b.rows(t, table)
			require.Equal(t, []frictionless.Row{{int64(1), "v;'\"--"}}, rows)
		})
	}
}

// sliceReader serves typed rows.
type sliceReader struct {
	schema *frictionless.Schema
	rows   []frictionless.Row
}

func (s *sliceReader) Read() (frictionless.Row, error) {
	if len(s.rows) == 0 {
		return nil, io.EOF
	}
	r := s.rows[0]
	s.rows = s.rows[1:]
	return r, nil
}

func (s *sliceReader) Schema() *frictionless.Schema { return s.schema }
