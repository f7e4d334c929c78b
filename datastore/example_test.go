package datastore_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
)

// cities is the schema the examples load.
var cities = &frictionless.Schema{
	Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "name", Type: frictionless.TypeString, Constraints: frictionless.Constraints{Required: true}},
		{Name: "population", Type: frictionless.TypeInteger},
	},
	PrimaryKey: []string{"id"},
}

func ExampleLoad() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	csv := "id,name,population\n1,Oslo,709037\n2,,100\n3,Bergen,many\n4,Trondheim,212660\n"
	r, err := frictionless.NewReader(strings.NewReader(csv), cities, nil)
	if err != nil {
		panic(err)
	}
	rep, err := datastore.Load(ctx, store, "cities", r, &datastore.LoadOptions{
		Mode:    datastore.ModeReplace,
		Rejects: datastore.NewCSVRejects(os.Stdout),
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("read %d, written %d, rejected %d\n", rep.Read, rep.Written, rep.Rejected)
	// Output:
	// row,line,field,value,reason,raw,stage
	// 2,3,name,,value is required,"[""2"","""",""100""]",validation
	// 3,4,population,many,"cannot cast ""many"" to integer","[""3"",""Bergen"",""many""]",validation
	// read 4, written 2, rejected 2
}

func ExampleIngest() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	if err := store.CreateTable(ctx, "cities", cities); err != nil {
		panic(err)
	}
	rows := []map[string]any{
		{"id": 1, "name": "Oslo", "population": 709037},
		{"id": 2, "population": 5},
		{"id": 3, "name": "Bergen", "mayor": "?"},
	}
	rep, err := datastore.Ingest(ctx, store, "cities", rows, nil)
	if err != nil {
		panic(err)
	}
	for _, r := range rep.Results {
		fmt.Println(r.Index, r.Written, r.Err)
	}
	// Output:
	// 0 true <nil>
	// 1 false row 2: field "name": value is required
	// 2 false row 3: field "mayor": field is not in the schema
}

func ExampleStore_DescribeTable() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	if err := store.CreateTable(ctx, "cities", cities); err != nil {
		panic(err)
	}
	schema, err := store.DescribeTable(ctx, "cities")
	if err != nil {
		panic(err)
	}
	for _, f := range schema.Fields {
		fmt.Println(f.Name, f.Type, f.Constraints.Required)
	}
	fmt.Println("key:", schema.PrimaryKey)
	// Output:
	// id integer true
	// name string true
	// population integer false
	// key: [id]
}

func ExampleLoadResource() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	noHeader := false
	required := frictionless.Constraints{Required: true}
	res := &frictionless.Resource{
		Name:    "employees",
		Path:    "testdata/employees.csv",
		Dialect: &frictionless.Dialect{Header: &noHeader},
		Schema: &frictionless.Schema{Fields: []frictionless.Field{
			{Name: "employee_id", Type: frictionless.TypeInteger, Constraints: required},
			{Name: "employee_name", Type: frictionless.TypeString, Constraints: required},
			{Name: "hiring_date", Type: frictionless.TypeDateTime, Constraints: required},
			{Name: "department_id", Type: frictionless.TypeInteger, Constraints: required},
			{Name: "job_id", Type: frictionless.TypeInteger, Constraints: required},
		}, PrimaryKey: []string{"employee_id"}},
	}
	rep, err := datastore.LoadResource(ctx, store, "employees", res, &datastore.LoadOptions{
		Mode:    datastore.ModeReplace,
		Rejects: datastore.NewTableRejects(store, "employees"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("read %d, written %d, rejected %d\n", rep.Read, rep.Written, rep.Rejected)
	fmt.Println("first reject:", rep.Rejects[0].Row, rep.Rejects[0].Field, rep.Rejects[0].Reason)
	// Output:
	// read 1999, written 1929, rejected 70
	// first reject: 2 job_id value is required
}
