package datastore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// serialOnly hides a Reader's record methods, so the load validates on
// one goroutine.
type serialOnly struct{ r *frictionless.Reader }

func (s serialOnly) Read() (frictionless.Row, error) { return s.r.Read() }
func (s serialOnly) Schema() *frictionless.Schema    { return s.r.Schema() }
func (s serialOnly) Stats() frictionless.ReadStats   { return s.r.Stats() }
func (s serialOnly) Line() int                       { return s.r.Line() }

// messyCitiesCSV has rows without a name, a cell over three lines, a
// malformed quote, a row with a cell too many and a repeated id (which
// the database refuses).
func messyCitiesCSV() string {
	var b strings.Builder
	b.WriteString("id,name,population\n")
	for i := 1; i <= 300; i++ {
		switch {
		case i == 20:
			fmt.Fprintf(&b, "%d,\"three\nline\nname\",%d\n", i, i)
		case i == 50:
			fmt.Fprintf(&b, "%d,\"bad\"x,%d\n", i, i)
		case i == 77:
			fmt.Fprintf(&b, "%d,city,%d,extra\n", i, i)
		case i == 120:
			fmt.Fprintf(&b, "10,again,%d\n", i)
		case i%3 == 0:
			fmt.Fprintf(&b, "%d,,%d\n", i, i)
		default:
			fmt.Fprintf(&b, "%d,city%d,%d\n", i, i, i)
		}
	}
	return b.String()
}

// TestLoadParallelValidationMatchesSerial: validating on several
// goroutines gives the report of the serial path: the same counts, and
// the same rejects (row numbers, source lines, reasons) in the same order.
func TestLoadParallelValidationMatchesSerial(t *testing.T) {
	prev := datastore.SetCastWorkers(3) // also on a machine with few cores
	defer datastore.SetCastWorkers(prev)
	load := func(serial bool) *datastore.LoadReport {
		s := openCities(t)
		r, err := frictionless.NewReader(strings.NewReader(messyCitiesCSV()), cities, &frictionless.ReadOptions{SkipUniqueCheck: true})
		require.NoError(t, err)
		require.True(t, r.ConcurrentCast())
		var src datastore.RowReader = r
		if serial {
			src = serialOnly{r}
		}
		rep, err := datastore.Load(context.Background(), s, "cities", src, &datastore.LoadOptions{BatchSize: 7, MaxRejects: 1000})
		require.NoError(t, err)
		require.Equal(t, rep.Read, rep.Written+rep.Rejected)
		return rep
	}
	par, ser := load(false), load(true)
	require.EqualValues(t, 300, par.Read)
	require.Equal(t, ser.Written, par.Written)
	require.Equal(t, ser.Rejected, par.Rejected)
	require.Equal(t, ser.Bytes, par.Bytes)
	require.Len(t, par.Rejects, len(ser.Rejects))
	for i := range ser.Rejects {
		require.Equal(t, ser.Rejects[i], par.Rejects[i], "reject %d", i)
	}
	byRow := map[int]datastore.Reject{}
	for _, r := range par.Rejects {
		byRow[r.Row] = r
	}
	require.Equal(t, 24, byRow[21].Line, "a row after the three-line cell")
	require.Equal(t, datastore.StageDatabase, byRow[120].Stage, "the repeated id is refused by the database")
	require.Equal(t, 123, byRow[120].Line)
}
