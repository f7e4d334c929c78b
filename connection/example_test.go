package connection_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/datafactory/datafactory/connection"
)

// A host opens the embedded defaults in a directory, then resolves what a
// run conf names: its connections, not raw URLs or paths.
func ExampleOpenEmbedded() {
	dir, err := os.MkdirTemp("", "datafactory-example-*")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	e, err := connection.OpenEmbedded(context.Background(), filepath.Join(dir, "data"))
	if err != nil {
		panic(err)
	}
	defer e.Close()
	_ = os.WriteFile(filepath.Join(e.Dir, "files", "people.csv"), []byte("id\n1\n"), 0o644)

	_, err = e.Connections.Store("default")
	fmt.Println("store default:", err == nil)
	_, err = e.Connections.Path("people.csv")
	fmt.Println("path people.csv:", err == nil)
	for _, ref := range []string{"env:DATAFACTORY_TOKEN", "postgres://someone@10.0.0.1/db"} {
		_, err = e.Connections.Store(ref)
		fmt.Println("store", ref+":", errors.Is(err, connection.ErrRefused))
	}
	_, err = e.Connections.Path("/proc/self/environ")
	fmt.Println("path /proc/self/environ:", errors.Is(err, connection.ErrRefused))
	// Output:
	// store default: true
	// path people.csv: true
	// store env:DATAFACTORY_TOKEN: true
	// store postgres://someone@10.0.0.1/db: true
	// path /proc/self/environ: true
}

// An operator's configuration file names secrets by environment variable;
// the Set never prints them.
func ExampleParseConfig() {
	env := map[string]string{"DW_PASSWORD": "hunter2"}
	s, err := connection.ParseConfig([]byte(`{
	  "databases": {"warehouse": {"url": "postgres://etl@db.internal:5432/dw", "password_env": "DW_PASSWORD"}}
	}`), func(k string) string { return env[k] })
	if err != nil {
		panic(err)
	}
	db := s.Databases["warehouse"]
	fmt.Println(db, db.Password)
	// Output: postgres://db.internal:5432/dw [redacted]
}
