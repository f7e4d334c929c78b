package avrobak_test

import (
	"bytes"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/hamba/avro/v2/ocf"
	"github.com/stretchr/testify/require"
)

// TestHambaReadsOurFiles: hamba/avro's ocf decoder (a second independent
// reader, next to Apache Avro's Python one in the interop tests) reads the
// files this package's own container writer makes, in every codec and
// with many blocks: same records, same metadata.
func TestHambaReadsOurFiles(t *testing.T) {
	t.Parallel()
	rows := employeeRows(t, 1, 3000)
	for _, codec := range []avrobak.Codec{avrobak.CodecNull, avrobak.CodecDeflate, avrobak.CodecSnappy, avrobak.CodecZstandard} {
		t.Run(string(codec), func(t *testing.T) {
			file, _ := writeFile(t, employeesSchema(), rows, &avrobak.WriterOptions{Codec: codec, BlockSize: 16 << 10, Table: "employees"})
			dec, err := ocf.NewDecoder(bytes.NewReader(file))
			require.NoError(t, err)
			meta := dec.Metadata()
			require.Equal(t, string(codec), string(meta["avro.codec"]))
			require.Equal(t, "3000", string(meta[avrobak.MetaRows]))
			require.Equal(t, "employees", string(meta[avrobak.MetaTable]))
			n := 0
			for dec.HasNext() {
				var rec map[string]any
				require.NoError(t, dec.Decode(&rec))
				n++
				if n == 1 || n == 3000 {
					require.EqualValues(t, rows[n-1][0], rec["id"], "record %d", n)
				}
			}
			require.NoError(t, dec.Error())
			require.Equal(t, 3000, n)
		})
	}
}
