package tasks_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/tasks"
)

// Register the built-in task types over the embedded defaults and run a
// spec whose params name connections.
func ExampleRegister() {
	dir, err := os.MkdirTemp("", "datafactory-example-*")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	e, err := connection.OpenEmbedded(ctx, dir)
	if err != nil {
		panic(err)
	}
	defer e.Close()
	_ = os.WriteFile(filepath.Join(e.Dir, "files", "people.csv"), []byte("id,name\n1,Ada\n2,Grace\n"), 0o644)

	r := pipeline.NewRegistry()
	if err := tasks.Register(r, &tasks.Options{Connections: e.Connections}); err != nil {
		panic(err)
	}
	p, err := r.Load([]byte(`{"name": "people", "tasks": [
	  {"name": "load", "type": "load", "params": {"source": "people.csv", "target": "default"}},
	  {"name": "backup", "type": "backup", "depends_on": ["load"],
	   "params": {"db": "default", "table": "people", "bucket": "default", "key": "people.avro"}}]}`))
	if err != nil {
		panic(err)
	}
	sum, err := pipeline.Run(ctx, p, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(sum.State)
	ok, _ := e.Bucket.Exists(ctx, tasks.BackupPrefix+"people.avro")
	fmt.Println("backup in bucket:", ok)

	_, err = r.Load([]byte(`{"name": "bad", "tasks": [
	  {"name": "load", "type": "load", "params": {"source": "/etc/passwd", "target": "default"}}]}`))
	fmt.Println("refused:", err != nil)
	// Output:
	// SUCCESS
	// backup in bucket: true
	// refused: true
}
