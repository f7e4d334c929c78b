package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// TestMySQLRowOverPacketIsOneReject: a row longer than the server's
// max_allowed_packet becomes one database-stage reject (with its line)
// instead of failing the load; the rejects table keeps it with its long
// texts cut, saying how long they were.
func TestMySQLRowOverPacketIsOneReject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, backends[2])
	var packet int
	require.NoError(t, rawDB(t, s).Get(&packet, "SELECT @@max_allowed_packet"))
	long := strings.Repeat("x", packet+1)
	csv := "id,name\n1,a\n2," + long + "\n3,c\n"
	schema := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}}
	for _, mode := range []datastore.Mode{datastore.ModeReplace, datastore.ModeAppend} {
		table := "packet_" + strconv.Itoa(int(mode))
		r, err := frictionless.NewReader(strings.NewReader(csv), schema, nil)
		require.NoError(t, err)
		rep, err := datastore.Load(ctx, s, table, r, &datastore.LoadOptions{Mode: mode, Rejects: datastore.NewTableRejects(s, table)})
		require.NoError(t, err, mode)
		require.EqualValues(t, 2, rep.Written)
		require.EqualValues(t, 1, rep.Rejected)
		var got []struct {
			Row    int    `db:"row"`
			Line   int    `db:"line"`
			Field  string `db:"field"`
			Reason string `db:"reason"`
			Value  string `db:"value"`
			Stage  string `db:"stage"`
		}
		require.NoError(t, rawDB(t, s).Select(&got, "SELECT `row`, line, field, reason, value, stage FROM "+table+"__rejects"))
		require.Len(t, got, 1)
		require.Equal(t, 2, got[0].Row)
		require.Equal(t, 3, got[0].Line)
		require.Equal(t, "name", got[0].Field)
		require.Equal(t, datastore.StageDatabase, got[0].Stage)
		require.Contains(t, got[0].Reason, "max_allowed_packet")
		require.True(t, strings.HasSuffix(got[0].Value, "[cut: "+strconv.Itoa(len(long))+" bytes]"), got[0].Value[len(got[0].Value)-40:])
	}
}
