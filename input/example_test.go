package input_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/input"
)

// A gzipped CSV file is recognised by its content and read as CSV.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "export.dat")
	f, _ := os.Create(path)
	zw := gzip.NewWriter(f)
	fmt.Fprint(zw, "id,day\n1,2024-03-01\n2,2024-03-02\n")
	zw.Close()
	f.Close()

	in, err := input.Open(context.Background(), path, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer in.Close()
	fmt.Println("format:", in.Format)
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger},
		{Name: "day", Type: frictionless.TypeDate},
	}}
	r, err := frictionless.NewReader(in, schema, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(row[0], row[1].(interface{ Format(string) string }).Format("Mon 2 Jan 2006"))
	}
	// Output:
	// format: gzip
	// 1 Fri 1 Mar 2024
	// 2 Sat 2 Mar 2024
}
