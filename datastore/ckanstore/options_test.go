package ckanstore_test

import (
	"fmt"
	"testing"

	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/stretchr/testify/require"
)

func TestStoreOptionsRedactPostgresURL(t *testing.T) {
	t.Parallel()
	o := ckanstore.StoreOptions{PackageID: "p", PostgresURL: "postgres://writer:hunter2@db:5432/datastore"}
	for _, out := range []string{fmt.Sprintf("%v", o), fmt.Sprintf("%+v", &o), fmt.Sprintf("%#v", o), o.String()} {
		require.NotContains(t, out, "hunter2")
		require.Contains(t, out, "writer:xxxxx@db")
	}
	require.NotContains(t, ckanstore.StoreOptions{PostgresURL: "host=db password=hunter2"}.String(), "hunter2")
}
