package ckan_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
)

// exampleSite starts a ckantest server with one DataStore resource and
// returns it, a client with the sysadmin's token, and the resource id.
func exampleSite() (*ckantest.Server, *ckan.Client, string) {
	srv := ckantest.NewServer(nil)
	d, _ := srv.AddDataset(ckantest.Dataset{Name: "payments"})
	resID, _ := srv.AddResource(ckantest.Resource{ID: "3f1e9a52-payments", PackageID: d.ID, URLType: "datastore"})
	c, _ := ckan.NewClient(srv.URL(), &ckan.ClientOptions{Token: ckan.Secret(srv.SysadminToken())})
	return srv, c, resID
}

func ExampleClient_DatastoreSearch() {
	srv, c, resID := exampleSite()
	defer srv.Close()
	ctx := context.Background()

	_, err := c.DatastoreCreate(ctx, &ckan.CreateRequest{
		ResourceID: resID,
		Force:      true,
		Fields:     []ckan.Field{{ID: "name", Type: "text"}, {ID: "amount", Type: "numeric"}, {ID: "paid", Type: "timestamp"}},
		PrimaryKey: ckan.StringList{"name"},
	})
	if err != nil {
		panic(err)
	}
	_, err = c.DatastoreUpsert(ctx, &ckan.UpsertRequest{
		ResourceID: resID,
		Force:      true,
		Method:     ckan.MethodUpsert,
		Records: []ckan.Record{
			{"name": "alice", "amount": "1234567890.123456789012", "paid": "2024-05-01T09:30:00.25+02:00"},
			{"name": "bob", "amount": "7.50", "paid": ""},
		},
	})
	if err != nil {
		panic(err)
	}
	res, err := c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: resID, Sort: "name"})
	if err != nil {
		panic(err)
	}
	fmt.Println("total:", *res.Total)
	for _, r := range res.Records {
		fmt.Println(r["_id"], r["name"], r["amount"], r["paid"])
	}
	// Output:
	// total: 2
	// 1 alice 1234567890.123456789012 2024-05-01T09:30:00
	// 2 bob 7.50 <nil>
}

func ExampleClient_SearchAll() {
	srv, c, resID := exampleSite()
	defer srv.Close()
	ctx := context.Background()

	records := make([]ckan.Record, 2500)
	for i := range records {
		records[i] = ckan.Record{"n": i}
	}
	if _, err := c.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: resID, Fields: []ckan.Field{{ID: "n", Type: "int"}}}); err != nil {
		panic(err)
	}
	sent, err := c.UpsertChunked(ctx, &ckan.UpsertRequest{ResourceID: resID, Method: ckan.MethodInsert, Records: records}, nil)
	if err != nil {
		panic(err)
	}
	count := 0
	for _, err := range c.SearchAll(ctx, &ckan.SearchRequest{ResourceID: resID}, &ckan.IterOptions{PageSize: 1000}) {
		if err != nil {
			panic(err)
		}
		count++
	}
	fmt.Println("sent", sent, "read", count)
	// Output:
	// sent 2500 read 2500
}

func ExampleAPIError() {
	srv, c, resID := exampleSite()
	defer srv.Close()
	ctx := context.Background()

	_, err := c.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: resID, Fields: []ckan.Field{{ID: "_secret", Type: "text"}}})
	var apiErr *ckan.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type, errors.Is(err, ckan.ErrValidation))
		fmt.Println(apiErr.FieldError("fields"))
	}
	_, err = c.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: "no-such-table"})
	fmt.Println(errors.Is(err, ckan.ErrNotFound))
	// Output:
	// 409 Validation Error true
	// "_secret" is not a valid field name
	// true
}

func ExampleChunkRecords() {
	records := make([]ckan.Record, 600)
	for i := range records {
		records[i] = ckan.Record{"n": i}
	}
	chunks, err := ckan.ChunkRecords(records, 250, 1<<20)
	if err != nil {
		panic(err)
	}
	for _, c := range chunks {
		fmt.Print(len(c), " ")
	}
	fmt.Println()
	// Output:
	// 250 250 100
}
