package avrobak_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// fuzzSeeds are valid files in every codec, plus damaged ones.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, c := range []avrobak.Codec{avrobak.CodecNull, avrobak.CodecDeflate, avrobak.CodecSnappy, avrobak.CodecZstandard} {
		p, _ := writeFile(f, employeesSchema(), employeeRows(f, 1, 6), &avrobak.WriterOptions{Codec: c, BlockSize: 200, Table: "t"})
		seeds = append(seeds, p, p[:len(p)/2], p[:previousSync(p)])
	}
	p, _ := writeFile(f, allTypesSchema(), allTypesRows(f), &avrobak.WriterOptions{Codec: avrobak.CodecNull})
	seeds = append(seeds, p)
	if py, err := os.ReadFile(filepath.Join("testdata", "python.avro")); err == nil {
		seeds = append(seeds, py)
	}
	return seeds
}

// readAll decodes a whole file; it returns an error for any damage.
func readAll(p []byte) ([]frictionless.Row, error) {
	r, err := avrobak.NewReader(bytes.NewReader(p), nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var rows []frictionless.Row
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		rows, err := readAll(p)
		if err == nil {
			// A file that reads cleanly reads the same way twice.
			again, err := readAll(p)
			require.NoError(t, err)
			require.Len(t, again, len(rows))
		}
	})
}

// FuzzRestore restores arbitrary bytes over a table: it must never panic,
// and when the restore fails the table must be exactly as it was.
func FuzzRestore(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	ctx := context.Background()
	store := backends[0].open(f) // SQLite
	baseline := employeeRows(f, 1000, 3)
	loadRows(f, store, "t", employeesSchema(), baseline)
	f.Fuzz(func(t *testing.T, p []byte) {
		_, err := avrobak.Restore(ctx, bytes.NewReader(p), store, "t", &avrobak.RestoreOptions{BatchSize: 2})
		if err != nil {
			_, got := tableRows(t, store, "t")
			requireRowsEqual(t, baseline, got)
			return
		}
		// The input was a valid backup: the table now holds its rows.
		want, rerr := readAll(p)
		require.NoError(t, rerr)
		_, got := tableRows(t, store, "t")
		require.Len(t, got, len(want))
		require.NoError(t, store.DropTable(ctx, "t"))
		loadRows(t, store, "t", employeesSchema(), baseline)
	})
}
