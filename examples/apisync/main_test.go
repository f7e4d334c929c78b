package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/stretchr/testify/require"
)

func TestAPISync(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	res, err := demo(context.Background(), &out)
	require.NoError(t, err, out.String())
	require.Equal(t, pipeline.StateSuccess, res.firstSync)
	require.EqualValues(t, companies, res.rowsAfterFirst)
	require.Equal(t, pipeline.StateFailed, res.secondSync)
	require.EqualValues(t, companies, res.rowsAfterSecond, "a failed sync leaves the table unchanged")
	require.Len(t, res.viewRows, months)

	// every company created in the caught-up months is in exactly one view
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	from := thisMonth.AddDate(0, -months, 0)
	var want int64
	for _, c := range newSourceAPI(hawk.Credentials{ID: "x", Key: "y"}, companies, pageSize, now).rows {
		d, err := time.Parse("2006-01-02", c.CreatedOn)
		require.NoError(t, err)
		if !d.Before(from) && d.Before(thisMonth) {
			want++
		}
	}
	var got int64
	for _, n := range res.viewRows {
		got += n
	}
	require.Equal(t, want, got)
	require.Contains(t, out.String(), "page 3 (", "the sync names the forged page")
	require.Contains(t, out.String(), "hawk: bad mac: response")
}
