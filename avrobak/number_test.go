package avrobak_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
	"github.com/stretchr/testify/require"
)

// numberSchema has a number without precision.
func numberSchema() *frictionless.Schema {
	return &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "n", Type: frictionless.TypeNumber},
	}, PrimaryKey: []string{"id"}}
}

// TestNumbersKeepDigits: a backup keeps every digit and the scale of a
// number as written, NaN and infinities too; other Avro readers see the
// same text as a string.
func TestNumbersKeepDigits(t *testing.T) {
	t.Parallel()
	texts := []string{"123456789012345678901234567890", "12345678901234567890.123456789", "1.10", "0.00",
		"-0.000000000000000000000000000001", "1" + strings.Repeat("0", 400), "NaN", "INF", "-INF"}
	rows := []frictionless.Row{{int64(0), nil}}
	for i, s := range texts {
		d, err := frictionless.ParseDecimal(s)
		require.NoError(t, err)
		rows = append(rows, frictionless.Row{int64(i + 1), d})
	}
	rows = append(rows, frictionless.Row{int64(len(texts) + 1), 2.5}) // a float64 cell is written as its shortest decimal
	file, _ := writeFile(t, numberSchema(), rows, nil)
	_, got := readFile(t, file)
	require.Len(t, got, len(rows))
	require.Nil(t, got[0][1])
	for i, s := range texts {
		require.Equal(t, s, got[i+1][1].(frictionless.Decimal).String())
	}
	require.Equal(t, "2.5", got[len(rows)-1][1].(frictionless.Decimal).String())

	dec, err := ocf.NewDecoder(bytes.NewReader(file))
	require.NoError(t, err)
	var foreign []string
	for dec.HasNext() {
		var rec map[string]any
		require.NoError(t, dec.Decode(&rec))
		if s, ok := rec["n"].(string); ok {
			foreign = append(foreign, s)
		}
	}
	require.NoError(t, dec.Error())
	require.Equal(t, append(texts, "2.5"), foreign)
}

// TestNumberBadCell: a number cell that is not a number fails the write.
func TestNumberBadCell(t *testing.T) {
	t.Parallel()
	w, err := avrobak.NewWriter(&bytes.Buffer{}, numberSchema(), avrobak.UnknownRows, nil)
	require.NoError(t, err)
	require.ErrorContains(t, w.Write(frictionless.Row{int64(1), "12,5"}), "invalid decimal syntax")
	require.ErrorContains(t, w.Write(frictionless.Row{int64(1), true}), "want a frictionless.Decimal, got bool")
}

// TestRestoreDoubleBackup reads a backup made before numbers were exact,
// where a number without precision is an Avro double.
func TestRestoreDoubleBackup(t *testing.T) {
	t.Parallel()
	schema := avro.MustParse(`{"type":"record","name":"old","namespace":"datafactory","doc":"datafactory backup of table old",
		"fields":[{"name":"id","type":"long"},{"name":"n","type":["null","double"],"default":null}]}`)
	var buf bytes.Buffer
	ts := `{"fields":[{"name":"id","type":"integer","constraints":{"required":true}},{"name":"n","type":"number"}],"primaryKey":["id"]}`
	enc, err := ocf.NewEncoderWithSchema(schema, &buf, ocf.WithMetadata(map[string][]byte{
		avrobak.MetaTableSchema: []byte(ts), avrobak.MetaTable: []byte("old"), avrobak.MetaRows: []byte("2"),
	}))
	require.NoError(t, err)
	require.NoError(t, enc.Encode(map[string]any{"id": int64(1), "n": map[string]any{"double": 1.25}}))
	require.NoError(t, enc.Encode(map[string]any{"id": int64(2), "n": nil}))
	require.NoError(t, enc.Close())
	r, got := readFile(t, buf.Bytes())
	require.Equal(t, frictionless.TypeNumber, r.Schema().Fields[1].Type)
	require.Equal(t, []frictionless.Row{{int64(1), 1.25}, {int64(2), nil}}, got)
}
