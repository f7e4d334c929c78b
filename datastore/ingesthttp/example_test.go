package ingesthttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/datafactory/datafactory/datastore/ingesthttp"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
)

// A handler over a SQLite store with one registered table; a batch of two
// rows, one of which fails the data dictionary.
func ExampleNew() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:", nil)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "department_id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "department_name", Type: frictionless.TypeString, Constraints: frictionless.Constraints{Required: true}},
	}, PrimaryKey: []string{"department_id"}}
	if err := store.CreateTable(ctx, "departments", schema); err != nil {
		panic(err)
	}
	h, err := ingesthttp.New(ctx, store, &ingesthttp.Options{Token: "s3cret",
		Tables: map[string]*frictionless.Schema{"departments": schema}})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/v1/tables/departments/rows",
		strings.NewReader("13,Testing\n14,\n"))
	req.Header.Set("Content-Type", "text/csv; header=absent")
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Print(string(body))
	// Output:
	// 200 OK
	// {"table":"departments","received":2,"inserted":1,"rejected":1,"rows":[{"row":1,"inserted":true},{"row":2,"inserted":false,"field":"department_name","reason":"value is required","errors":[{"field":"department_name","value":"","reason":"value is required"}]}]}
}
