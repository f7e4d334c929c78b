package frictionless

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// isoLayoutCases are values of the ISO custom layouts' shape and near it:
// valid ones, every field out of range, leap days, wrong separators and
// lengths, signs, fractions and zones that only time.Parse may take.
var isoLayoutCases = []string{
	"2015-01-01 00:01:00", "1999-12-31 23:59:59", "0000-01-01 00:00:00", "9999-12-31 23:59:59",
	"2024-02-29 12:00:00", "2023-02-29 12:00:00", "1900-02-29 00:00:00", "2000-02-29 00:00:00",
	"2015-00-01 00:00:00", "2015-13-01 00:00:00", "2015-04-31 00:00:00", "2015-01-00 00:00:00",
	"2015-01-01 24:00:00", "2015-01-01 23:60:00", "2015-01-01 23:59:60", "2015-01-01T00:01:00",
	"2015-01-01 0:01:000", "2015-1-01 00:01:000", "+015-01-01 00:01:00", "-015-01-01 00:01:00",
	"2015-01-01 00:01:00.5", "2015-01-01 00:01:00,5", "2015-01-01 00:01:00Z", "2015-01-01 00:01",
	"2015/01/01 00:01:00", "2015-01-01_00:01:00", "2O15-01-01 00:01:00", "2015-01-01 00:01:0 ",
	" 2015-01-01 00:01:0", "", "2015-01-01 00:01:00 ",
}

// requireLikeTimeParse checks that a datetime field with format f reads raw
// exactly as time.ParseInLocation with its layout does: the same time, or
// a failure.
func requireLikeTimeParse(t *testing.T, format, raw string) {
	t.Helper()
	c, err := newCaster(&Field{Name: "t", Type: TypeDateTime, Format: format}, "fields/0")
	require.NoError(t, err)
	want, werr := time.ParseInLocation(c.layout, raw, time.UTC)
	got, msg := c.cast(raw)
	if werr != nil {
		require.NotEmpty(t, msg, "%q: time.Parse refuses it (%v), the caster took %v", raw, werr, got)
		return
	}
	require.Empty(t, msg, "%q: time.Parse takes it as %v", raw, want)
	require.Equal(t, want, got, "%q", raw)
}

// TestISOLayoutLikeTimeParse: the fast path of the two ISO custom layouts
// gives what time.Parse gives, value for value.
func TestISOLayoutLikeTimeParse(t *testing.T) {
	for _, format := range []string{"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"} {
		c, err := newCaster(&Field{Name: "t", Type: TypeDateTime, Format: format}, "fields/0")
		require.NoError(t, err)
		require.True(t, c.isoLayout, format)
		for _, raw := range isoLayoutCases {
			requireLikeTimeParse(t, format, raw)
		}
	}
	c, err := newCaster(&Field{Name: "t", Type: TypeDateTime, Format: "%d/%m/%Y %H:%M:%S"}, "fields/0")
	require.NoError(t, err)
	require.False(t, c.isoLayout, "another layout keeps time.Parse")
}

func FuzzISOLayout(f *testing.F) {
	for _, raw := range isoLayoutCases {
		f.Add(raw, raw[min(len(raw), 10):] == "" || len(raw) > 10 && raw[10] == 'T')
	}
	f.Fuzz(func(t *testing.T, raw string, tLayout bool) {
		format := "%Y-%m-%d %H:%M:%S"
		if tLayout {
			format = "%Y-%m-%dT%H:%M:%S"
		}
		requireLikeTimeParse(t, format, raw)
	})
}
