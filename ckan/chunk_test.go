package ckan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestChunkRecords(t *testing.T) {
	t.Parallel()
	recs := func(n, width int) []Record {
		out := make([]Record, n)
		for i := range out {
			out[i] = Record{"v": strings.Repeat("x", width)}
		}
		return out
	}
	size := func(r []Record) int {
		b, _ := json.Marshal(r)
		return len(b)
	}
	tests := []struct {
		name     string
		records  []Record
		rows     int
		bytes    int
		want     []int // chunk lengths
		tooLarge bool
	}{
		{name: "empty", records: nil, want: nil},
		{name: "by rows", records: recs(10, 1), rows: 4, bytes: 1 << 20, want: []int{4, 4, 2}},
		{name: "default rows 250", records: recs(600, 1), want: []int{250, 250, 100}},
		{name: "by bytes", records: recs(10, 90), rows: 100, bytes: 300, want: []int{3, 3, 3, 1}}, // 98 bytes each: 2+3*98+2 = 298,
		{name: "one record over the limit", records: recs(3, 500), rows: 10, bytes: 300, tooLarge: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			chunks, err := ChunkRecords(tc.records, tc.rows, tc.bytes)
			if tc.tooLarge {
				require.ErrorIs(t, err, ErrRequestTooLarge)
				require.Contains(t, err.Error(), "record 0")
				return
			}
			require.NoError(t, err)
			var lens []int
			total := 0
			for _, c := range chunks {
				lens = append(lens, len(c))
				total += len(c)
				if tc.bytes > 0 {
					require.LessOrEqual(t, size(c), tc.bytes)
				}
			}
			require.Equal(t, tc.want, lens)
			require.Equal(t, len(tc.records), total)
		})
	}
}

func TestRequestBytesBound(t *testing.T) {
	t.Parallel()
	c, err := NewClient("http://127.0.0.1:1", &ClientOptions{MaxRequestBytes: 100, MaxRetries: -1})
	require.NoError(t, err)
	_, err = c.DatastoreUpsert(t.Context(), &UpsertRequest{ResourceID: "r", Records: []Record{{"v": strings.Repeat("x", 200)}}})
	require.ErrorIs(t, err, ErrRequestTooLarge)
}
