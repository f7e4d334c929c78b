package ckanstore_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/datastore/ckanstore/ckantest"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// bundle is a ckantest server with a dataset, two resources and clients.
type bundle struct {
	srv         *ckantest.Server
	editor      *ckanstore.Client
	anon        *ckanstore.Client
	datasetID   string
	datastoreID string // url_type datastore
	uploadID    string // url_type upload
}

type backend struct {
	name string
	dsn  func(t *testing.T) string
}

func backends() []backend {
	bs := []backend{{"sqlite", func(*testing.T) string { return "" }}}
	if os.Getenv(testutil.PostgresEnv) != "" {
		bs = append(bs, backend{"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }})
	}
	return bs
}

func setup(t *testing.T, be backend, opts *ckantest.Options) *bundle {
	t.Helper()
	o := ckantest.Options{}
	if opts != nil {
		o = *opts
	}
	o.DSN = be.dsn(t)
	srv, err := ckantest.New(&o)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	tok := srv.AddUser("editor", false)
	d, err := srv.AddDataset(ckantest.Dataset{Name: "employees", Editors: []string{"editor"}})
	require.NoError(t, err)
	b := &bundle{srv: srv, datasetID: d.ID}
	b.datastoreID, err = srv.AddResource(ckantest.Resource{PackageID: d.ID, Name: "table", URLType: "datastore"})
	require.NoError(t, err)
	b.uploadID, err = srv.AddResource(ckantest.Resource{PackageID: d.ID, Name: "employees.csv", URL: "http://files/employees.csv", URLType: "upload"})
	require.NoError(t, err)
	b.editor, err = ckanstore.NewClient(srv.URL(), &ckanstore.ClientOptions{Token: ckanstore.Secret(tok)})
	require.NoError(t, err)
	b.anon, err = ckanstore.NewClient(srv.URL(), nil)
	require.NoError(t, err)
	return b
}

func TestClientAgainstCKANTest(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := setup(t, be, nil)
			fields := []ckanstore.Field{{ID: "id", Type: "text"}, {ID: "amount", Type: "numeric", Info: map[string]any{"label": "Amount"}}, {ID: "at", Type: "timestamp"}}

			t.Run("datastore_create", func(t *testing.T) {
				res, err := b.editor.DatastoreCreate(ctx, &ckanstore.CreateRequest{ResourceID: b.uploadID, Force: true, Fields: fields, PrimaryKey: ckanstore.StringList{"id"}, Aliases: ckanstore.StringList{"payments"}})
				require.NoError(t, err)
				require.Equal(t, b.uploadID, res.ResourceID)
				require.Equal(t, "insert", res.Method)
				require.Equal(t, ckanstore.StringList{"id"}, res.PrimaryKey)
				require.Len(t, res.Fields, 3)

				_, err = b.editor.DatastoreCreate(ctx, &ckanstore.CreateRequest{ResourceID: b.uploadID, Fields: fields})
				requireAPIError(t, err, ckanstore.ErrValidation, 409, "read-only")
				_, err = b.editor.DatastoreCreate(ctx, &ckanstore.CreateRequest{ResourceID: b.datastoreID, Fields: []ckanstore.Field{{ID: "_a", Type: "text"}}})
				requireAPIError(t, err, ckanstore.ErrValidation, 409, "fields")
				_, err = b.anon.DatastoreCreate(ctx, &ckanstore.CreateRequest{ResourceID: b.datastoreID, Fields: fields})
				requireAPIError(t, err, ckanstore.ErrNotAuthorized, 403, "")
			})
			t.Run("datastore_create with a resource dict", func(t *testing.T) {
				res, err := b.editor.DatastoreCreate(ctx, &ckanstore.CreateRequest{Resource: map[string]any{"package_id": b.datasetID, "name": "new"}, Fields: fields[:1]})
				require.NoError(t, err)
				r, err := b.anon.ResourceShow(ctx, res.ResourceID)
				require.NoError(t, err)
				require.Equal(t, "datastore", r.URLType)
				require.True(t, r.DatastoreActive)
			})
			t.Run("datastore_upsert", func(t *testing.T) {
				recs := []ckanstore.Record{
					{"id": "a", "amount": json.Number("12345678901234567890.000000000000000001"), "at": "2024-02-29T23:59:59.999Z"},
					{"id": "b", "amount": "2.50", "at": ""},
				}
				_, err := b.editor.DatastoreUpsert(ctx, &ckanstore.UpsertRequest{ResourceID: b.uploadID, Force: true, Method: ckanstore.MethodInsert, Records: recs})
				require.NoError(t, err)
				_, err = b.editor.DatastoreUpsert(ctx, &ckanstore.UpsertRequest{ResourceID: b.uploadID, Force: true, Records: []ckanstore.Record{{"id": "b", "amount": 3}}})
				require.NoError(t, err)
				_, err = b.editor.DatastoreUpsert(ctx, &ckanstore.UpsertRequest{ResourceID: b.uploadID, Force: true, Method: ckanstore.MethodInsert, Records: []ckanstore.Record{{"id": "c", "amount": "lots"}}})
				ae := requireAPIError(t, err, ckanstore.ErrValidation, 409, "records")
				require.NotNil(t, ae.RecordsRow)
				require.Equal(t, 0, *ae.RecordsRow)
				_, err = b.editor.DatastoreUpsert(ctx, &ckanstore.UpsertRequest{ResourceID: b.uploadID, Force: true, Method: ckanstore.MethodUpdate, Records: []ckanstore.Record{{"id": "zz"}}})
				requireAPIError(t, err, ckanstore.ErrValidation, 409, "key")
				_, err = b.editor.DatastoreUpsert(ctx, &ckanstore.UpsertRequest{ResourceID: b.datastoreID, Records: []ckanstore.Record{{"id": "zz"}}})
				requireAPIError(t, err, ckanstore.ErrNotFound, 404, "")
			})
			t.Run("datastore_search", func(t *testing.T) {
				res, err := b.anon.DatastoreSearch(ctx, &ckanstore.SearchRequest{ResourceID: "payments", Sort: "id"})
				require.NoError(t, err)
				require.Equal(t, b.uploadID, res.ResourceID)
				require.NotNil(t, res.Total)
				require.Equal(t, int64(2), *res.Total)
				require.Equal(t, json.Number("12345678901234567890.000000000000000001"), res.Records[0]["amount"])
				require.Equal(t, "2024-02-29T23:59:59", res.Records[0]["at"])
				require.Equal(t, json.Number("3"), res.Records[1]["amount"])
				require.Nil(t, res.Records[1]["at"])
				require.Equal(t, "/api/3/action/datastore_search?offset=100", res.Links.Next)
				require.Equal(t, ckanstore.Field{ID: "amount", Type: "numeric", Info: map[string]any{"label": "Amount"}}, res.Fields[2])

				res, err = b.anon.DatastoreSearch(ctx, &ckanstore.SearchRequest{ResourceID: b.uploadID, Fields: ckanstore.StringList{"id", "amount"}, RecordsFormat: ckanstore.FormatLists, Limit: new(1)})
				require.NoError(t, err)
				require.Equal(t, [][]any{{"a", json.Number("12345678901234567890.000000000000000001")}}, res.Lists)
				res, err = b.anon.DatastoreSearch(ctx, &ckanstore.SearchRequest{ResourceID: b.uploadID, Fields: ckanstore.StringList{"id"}, RecordsFormat: ckanstore.FormatCSV, Sort: "id"})
				require.NoError(t, err)
				require.Equal(t, "a\nb\n", res.Text)

				_, err = b.anon.DatastoreSearch(ctx, &ckanstore.SearchRequest{ResourceID: b.uploadID, Filters: map[string]any{"nope": 1}})
				ae := requireAPIError(t, err, ckanstore.ErrValidation, 409, "filters")
				require.Equal(t, `invalid value "nope"`, ae.FieldError("filters"))
				_, err = b.anon.DatastoreSearch(ctx, &ckanstore.SearchRequest{ResourceID: "missing"})
				requireAPIError(t, err, ckanstore.ErrNotFound, 404, "")
			})
			t.Run("datastore_info", func(t *testing.T) {
				info, err := b.anon.DatastoreInfo(ctx, "payments")
				require.NoError(t, err)
				require.Equal(t, b.uploadID, info.Meta.ID)
				require.Equal(t, int64(2), info.Meta.Count)
				require.Equal(t, ckanstore.StringList{"payments"}, info.Meta.Aliases)
				require.Equal(t, "numeric", info.Fields[1].Type)
				require.True(t, info.Fields[0].Schema.UniqueKey)
				_, err = b.anon.DatastoreInfo(ctx, "missing")
				requireAPIError(t, err, ckanstore.ErrNotFound, 404, "")
			})
			t.Run("resource_show, resource_patch, package_show", func(t *testing.T) {
				r, err := b.anon.ResourceShow(ctx, b.uploadID)
				require.NoError(t, err)
				require.True(t, r.DatastoreActive)
				require.Equal(t, "http://files/employees.csv", r.URL)
				require.Equal(t, "upload", r.Extra["url_type"])
				r, err = b.editor.ResourcePatch(ctx, b.uploadID, map[string]any{"hash": "h1"})
				require.NoError(t, err)
				require.Equal(t, "h1", r.Hash)
				require.Equal(t, "employees.csv", r.Name)
				_, err = b.anon.ResourcePatch(ctx, b.uploadID, map[string]any{"hash": "h2"})
				requireAPIError(t, err, ckanstore.ErrNotAuthorized, 403, "")
				_, err = b.anon.ResourceShow(ctx, "missing")
				requireAPIError(t, err, ckanstore.ErrNotFound, 404, "")
				p, err := b.anon.PackageShow(ctx, "employees")
				require.NoError(t, err)
				require.Equal(t, b.datasetID, p.ID)
				require.Len(t, p.Resources, 3)
				_, err = b.anon.PackageShow(ctx, "missing")
				requireAPIError(t, err, ckanstore.ErrNotFound, 404, "")
			})
			t.Run("aircan_status_update", func(t *testing.T) {
				require.NoError(t, b.editor.AircanStatusUpdate(ctx, &ckanstore.StatusUpdate{ResourceID: b.uploadID, State: ckanstore.StateProgress, Message: "loading"}))
				require.NoError(t, b.editor.AircanStatusUpdate(ctx, &ckanstore.StatusUpdate{ResourceID: b.uploadID, State: ckanstore.StateError, Message: "failed", Error: &ckanstore.StatusError{Message: "bad"}}))
				err := b.anon.AircanStatusUpdate(ctx, &ckanstore.StatusUpdate{ResourceID: b.uploadID, State: ckanstore.StateComplete})
				requireAPIError(t, err, ckanstore.ErrNotAuthorized, 403, "")
				calls := b.srv.StatusUpdates()
				require.Len(t, calls, 2)
				require.Equal(t, ckanstore.StateError, calls[1].State)
				require.Equal(t, "bad", calls[1].ErrorMessage)
				require.NotEmpty(t, calls[0].LastUpdated)
			})
			t.Run("datastore_records_delete and datastore_delete", func(t *testing.T) {
				_, err := b.editor.DatastoreRecordsDelete(ctx, &ckanstore.DeleteRequest{ResourceID: b.uploadID, Force: true, Filters: map[string]any{"id": "a"}})
				require.NoError(t, err)
				info, err := b.anon.DatastoreInfo(ctx, b.uploadID)
				require.NoError(t, err)
				require.Equal(t, int64(1), info.Meta.Count)
				_, err = b.editor.DatastoreDelete(ctx, &ckanstore.DeleteRequest{ResourceID: b.uploadID, Force: true, Filters: map[string]any{}})
				require.NoError(t, err)
				info, err = b.anon.DatastoreInfo(ctx, b.uploadID)
				require.NoError(t, err)
				require.Equal(t, int64(0), info.Meta.Count, "{} deletes every row and keeps the table")
				_, err = b.editor.DatastoreDelete(ctx, &ckanstore.DeleteRequest{ResourceID: b.uploadID})
				requireAPIError(t, err, ckanstore.ErrValidation, 409, "read-only")
				_, err = b.editor.DatastoreDelete(ctx, &ckanstore.DeleteRequest{ResourceID: b.uploadID, Force: true})
				require.NoError(t, err)
				r, err := b.anon.ResourceShow(ctx, b.uploadID)
				require.NoError(t, err)
				require.False(t, r.DatastoreActive)
				_, err = b.editor.DatastoreDelete(ctx, &ckanstore.DeleteRequest{ResourceID: b.uploadID, Force: true})
				requireAPIError(t, err, ckanstore.ErrNotFound, 404, "")
			})
		})
	}
}

// requireAPIError checks err is an *APIError matching sentinel with the
// status, and (when key is set) a message under key.
func requireAPIError(t *testing.T, err error, sentinel error, status int, key string) *ckanstore.APIError {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var ae *ckanstore.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, status, ae.StatusCode)
	if key != "" {
		require.NotEmpty(t, ae.FieldError(key), "%v", ae)
	}
	return ae
}

func TestSearchAll(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// The server allows 700 rows per request; the client asks for
			// pages of 1000 and must follow the clamp.
			b := setup(t, be, &ckantest.Options{RowsMax: 700})
			const n = 2345
			recs := make([]ckanstore.Record, n)
			for i := range recs {
				recs[i] = ckanstore.Record{"n": i, "odd": i % 2}
			}
			_, err := b.editor.DatastoreCreate(ctx, &ckanstore.CreateRequest{ResourceID: b.datastoreID, Fields: []ckanstore.Field{{ID: "n", Type: "int"}, {ID: "odd", Type: "int"}}})
			require.NoError(t, err)
			var progress []int
			sent, err := b.editor.UpsertChunked(ctx, &ckanstore.UpsertRequest{ResourceID: b.datastoreID, Method: ckanstore.MethodInsert, Records: recs},
				&ckanstore.ChunkOptions{Rows: 500, Progress: func(s int) { progress = append(progress, s) }})
			require.NoError(t, err)
			require.Equal(t, n, sent)
			require.Equal(t, []int{500, 1000, 1500, 2000, 2345}, progress)

			tests := []struct {
				name  string
				req   ckanstore.SearchRequest
				opts  *ckanstore.IterOptions
				want  int
				first int
			}{
				{"all rows, clamped pages", ckanstore.SearchRequest{}, nil, n, 0},
				{"small pages", ckanstore.SearchRequest{}, &ckanstore.IterOptions{PageSize: 100}, n, 0},
				{"filtered", ckanstore.SearchRequest{Filters: map[string]any{"odd": 1}}, nil, n / 2, 1},
				{"limit and offset", ckanstore.SearchRequest{Limit: new(1500), Offset: 10}, nil, 1500, 10},
				{"sorted desc", ckanstore.SearchRequest{Sort: "n desc"}, nil, n, n - 1},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					req := tc.req
					req.ResourceID = b.datastoreID
					seen := map[string]bool{}
					count := 0
					for rec, err := range b.anon.SearchAll(ctx, &req, tc.opts) {
						require.NoError(t, err)
						if count == 0 {
							require.Equal(t, json.Number(jsonInt(tc.first)), rec["n"])
						}
						id := string(rec["_id"].(json.Number))
						require.False(t, seen[id], "row %s twice", id)
						seen[id] = true
						count++
					}
					require.Equal(t, tc.want, count)
				})
			}
			for _, err := range b.anon.SearchAll(ctx, &ckanstore.SearchRequest{ResourceID: "missing"}, nil) {
				require.ErrorIs(t, err, ckanstore.ErrNotFound)
			}
		})
	}
}

func jsonInt(i int) string { b, _ := json.Marshal(i); return string(b) }
