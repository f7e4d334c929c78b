package avrobak_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/storage"
	"github.com/hamba/avro/v2/ocf"
)

// exampleStore opens an in-memory SQLite store with a small employees table.
func exampleStore(ctx context.Context) *datastore.Store {
	store, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		log.Fatal(err)
	}
	schema := &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger},
			{Name: "name", Type: frictionless.TypeString},
			{Name: "salary", Type: frictionless.TypeNumber, Precision: 10, Scale: 2},
		},
		PrimaryKey: []string{"id"},
	}
	csv := "id,name,salary\n1,Ana,52000.50\n2,Zoë,61000.00\n3,Bob,\n"
	r, err := frictionless.NewReader(strings.NewReader(csv), schema, nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := datastore.Load(ctx, store, "employees", r, nil); err != nil {
		log.Fatal(err)
	}
	return store
}

func ExampleBackup() {
	ctx := context.Background()
	store := exampleStore(ctx)
	defer store.Close()

	var file bytes.Buffer
	rep, err := avrobak.Backup(ctx, store, "employees", &file, &avrobak.BackupOptions{Codec: avrobak.CodecZstandard})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Rows, "rows,", rep.Codec, "codec, SHA-256 has", len(rep.SHA256), "hex digits")
	// Output: 3 rows, zstandard codec, SHA-256 has 64 hex digits
}

func ExampleRestore() {
	ctx := context.Background()
	store := exampleStore(ctx)
	defer store.Close()
	var file bytes.Buffer
	if _, err := avrobak.Backup(ctx, store, "employees", &file, nil); err != nil {
		log.Fatal(err)
	}

	// Restore into another database: the table is created from the file's
	// Table Schema and loaded atomically.
	target, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer target.Close()
	rep, err := avrobak.Restore(ctx, &file, target, "employees_copy", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored", rep.Rows, "rows; created:", rep.Created)
	_, err = target.ReadRows(ctx, "employees_copy", func(row frictionless.Row) error {
		fmt.Println(row...)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// restored 3 rows; created: true
	// 1 Ana 52000.50
	// 2 Zoë 61000.00
	// 3 Bob <nil>
}

func ExampleRestore_truncated() {
	ctx := context.Background()
	store := exampleStore(ctx)
	defer store.Close()
	var file bytes.Buffer
	if _, err := avrobak.Backup(ctx, store, "employees", &file, nil); err != nil {
		log.Fatal(err)
	}
	damaged := file.Bytes()[:file.Len()-10]
	_, err := avrobak.Restore(ctx, bytes.NewReader(damaged), store, "employees", nil)
	fmt.Println(errors.Is(err, avrobak.ErrTruncated))
	// Output: true
}

func ExampleBackupToBucket() {
	ctx := context.Background()
	store := exampleStore(ctx)
	defer store.Close()
	bucket, err := storage.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer bucket.Close()

	// The object appears only once the backup is complete.
	if _, err := avrobak.BackupToBucket(ctx, store, "employees", bucket, "backups/employees.avro", nil); err != nil {
		log.Fatal(err)
	}
	rep, err := avrobak.RestoreFromBucket(ctx, bucket, "backups/employees.avro", store, "employees", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Mode, rep.Rows)
	// Output: replace 3
}

func ExampleNewWriter() {
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "city", Type: frictionless.TypeString},
		{Name: "population", Type: frictionless.TypeInteger},
	}}
	rows := []frictionless.Row{{"Kraków", int64(800000)}, {"Lagos", nil}}
	var file bytes.Buffer
	w, err := avrobak.NewWriter(&file, schema, int64(len(rows)), &avrobak.WriterOptions{Codec: avrobak.CodecNull})
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range rows {
		if err := w.Write(row); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := avrobak.NewReader(&file, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	n, _ := r.RecordedRows()
	fmt.Println(r.Schema().FieldNames(), n)
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(row...)
	}
	// Output:
	// [city population] 2
	// Kraków 800000
	// Lagos <nil>
}

func ExampleAvroSchema() {
	schema := &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "id", Type: frictionless.TypeInteger},
			{Name: "price", Type: frictionless.TypeNumber, Precision: 8, Scale: 2},
		},
		PrimaryKey: []string{"id"},
	}
	p, err := avrobak.AvroSchema(schema, "products")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(p))
	// Output: {"type":"record","name":"products","namespace":"datafactory","doc":"datafactory backup of table products","fields":[{"name":"id","type":"long"},{"name":"price","type":["null",{"logicalType":"decimal","precision":8,"scale":2,"type":"bytes"}],"default":null}]}
}

func ExampleNewReader() {
	// A file written by another Avro tool: no Table Schema in its metadata,
	// so the Table Schema is derived from the Avro schema.
	var file bytes.Buffer
	enc, err := ocf.NewEncoder(`{"type":"record","name":"reading","fields":[
		{"name":"sensor","type":"string"},
		{"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
		{"name":"value","type":["null","double"]}]}`, &file, ocf.WithCodec(ocf.Deflate))
	if err != nil {
		log.Fatal(err)
	}
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if err := enc.Encode(map[string]any{"sensor": "t-1", "at": at, "value": 21.5}); err != nil {
		log.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := avrobak.NewReader(&file, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for _, f := range r.Schema().Fields {
		fmt.Println(f.Name, f.Type, "required:", f.Constraints.Required)
	}
	row, err := r.Read()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(row...)
	// Output:
	// sensor string required: true
	// at datetime required: true
	// value number required: false
	// t-1 2024-05-01 12:00:00 +0000 UTC 21.5
}

func ExampleParseCodec() {
	c, err := avrobak.ParseCodec("zstd")
	fmt.Println(c, err)
	_, err = avrobak.ParseCodec("lz4")
	fmt.Println(errors.Is(err, errors.ErrUnsupported))
	// Output:
	// zstandard <nil>
	// true
}

func ExampleVerify() {
	ctx := context.Background()
	store := exampleStore(ctx)
	defer store.Close()
	var file bytes.Buffer
	rep, err := avrobak.Backup(ctx, store, "employees", &file, nil)
	if err != nil {
		log.Fatal(err)
	}
	v, err := avrobak.Verify(&file, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Table, v.Rows, v.SHA256 == rep.SHA256)
	// Output: employees 3 true
}
