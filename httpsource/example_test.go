package httpsource_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/httpsource"
)

// A data-flow style API: {"results": [...], "next": url}, bearer token.
func Example() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("page") == "2" {
			fmt.Fprint(w, `{"results": [{"id": 3, "company__name": "None"}], "next": null}`)
			return
		}
		fmt.Fprint(w, `{"results": [{"id": 1, "company__name": "Acme"}, {"id": 2, "company__name": ""}], "next": "?page=2"}`)
	}))
	defer api.Close()

	src, err := httpsource.New(api.URL+"/v4/dataset/companies", &httpsource.Options{
		Auth: httpsource.Bearer{Token: "t0ken"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger},
		{Name: "name", Type: frictionless.TypeString},
	}}
	rows, err := src.Rows(context.Background(), schema, &httpsource.RowOptions{
		Mapping: []httpsource.FieldMap{{Source: "company__name", Column: "name"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rows.Close()
	for {
		row, err := rows.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(row...)
	}
	fmt.Println(rows.Pages(), "pages")
	// Output:
	// 1 Acme
	// 2 <nil>
	// 3 <nil>
	// 2 pages
}
