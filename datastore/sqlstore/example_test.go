package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// Also postgres://user:pass@host/db and mysql://user:pass@host/db.
	store, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "data.db"), nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger},
		{Name: "when", Type: frictionless.TypeDateTime},
	}}
	if err := store.CreateTable(ctx, "events", schema); err != nil {
		panic(err)
	}
	ok, err := store.TableExists(ctx, "events")
	fmt.Println(ok, err)
	// Output: true <nil>
}
