package ckan_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/stretchr/testify/require"
)

func TestClientAgainstCKANTest(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := ckantest.NewFixture(t, be, nil)
			fields := []ckan.Field{{ID: "id", Type: "text"}, {ID: "amount", Type: "numeric", Info: map[string]any{"label": "Amount"}}, {ID: "at", Type: "timestamp"}}

			t.Run("datastore_create", func(t *testing.T) {
				res, err := b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.UploadID, Force: true, Fields: fields, PrimaryKey: ckan.StringList{"id"}, Aliases: ckan.StringList{"payments"}})
				require.NoError(t, err)
				require.Equal(t, b.UploadID, res.ResourceID)
				require.Equal(t, "insert", res.Method)
				require.Equal(t, ckan.StringList{"id"}, res.PrimaryKey)
				require.Len(t, res.Fields, 3)

				_, err = b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.UploadID, Fields: fields})
				requireAPIError(t, err, ckan.ErrValidation, 409, "read-only")
				_, err = b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.DatastoreID, Fields: []ckan.Field{{ID: "_a", Type: "text"}}})
				requireAPIError(t, err, ckan.ErrValidation, 409, "fields")
				_, err = b.Anon.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.DatastoreID, Fields: fields})
				requireAPIError(t, err, ckan.ErrNotAuthorized, 403, "")
			})
			t.Run("datastore_create with a resource dict", func(t *testing.T) {
				res, err := b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{Resource: map[string]any{"package_id": b.DatasetID, "name": "new"}, Fields: fields[:1]})
				require.NoError(t, err)
				r, err := b.Anon.ResourceShow(ctx, res.ResourceID)
				require.NoError(t, err)
				require.Equal(t, "datastore", r.URLType)
				require.True(t, r.DatastoreActive)
			})
			t.Run("datastore_upsert", func(t *testing.T) {
				recs := []ckan.Record{
					{"id": "a", "amount": json.Number("12345678901234567890.000000000000000001"), "at": "2024-02-29T23:59:59.999Z"},
					{"id": "b", "amount": "2.50", "at": ""},
				}
				_, err := b.Editor.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: b.UploadID, Force: true, Method: ckan.MethodInsert, Records: recs})
				require.NoError(t, err)
				_, err = b.Editor.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: b.UploadID, Force: true, Records: []ckan.Record{{"id": "b", "amount": 3}}})
				require.NoError(t, err)
				_, err = b.Editor.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: b.UploadID, Force: true, Method: ckan.MethodInsert, Records: []ckan.Record{{"id": "c", "amount": "lots"}}})
				ae := requireAPIError(t, err, ckan.ErrValidation, 409, "records")
				require.NotNil(t, ae.RecordsRow)
				require.Equal(t, 0, *ae.RecordsRow)
				_, err = b.Editor.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: b.UploadID, Force: true, Method: ckan.MethodUpdate, Records: []ckan.Record{{"id": "zz"}}})
				requireAPIError(t, err, ckan.ErrValidation, 409, "key")
				_, err = b.Editor.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: b.DatastoreID, Records: []ckan.Record{{"id": "zz"}}})
				requireAPIError(t, err, ckan.ErrNotFound, 404, "")
			})
			t.Run("datastore_search", func(t *testing.T) {
				res, err := b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: "payments", Sort: "id"})
				require.NoError(t, err)
				require.Equal(t, b.UploadID, res.ResourceID)
				require.NotNil(t, res.Total)
				require.Equal(t, int64(2), *res.Total)
				require.Equal(t, json.Number("12345678901234567890.000000000000000001"), res.Records[0]["amount"])
				require.Equal(t, "2024-02-29T23:59:59", res.Records[0]["at"])
				require.Equal(t, json.Number("3"), res.Records[1]["amount"])
				require.Nil(t, res.Records[1]["at"])
				require.Equal(t, "/api/3/action/datastore_search?offset=100", res.Links.Next)
				require.Equal(t, ckan.Field{ID: "amount", Type: "numeric", Info: map[string]any{"label": "Amount"}}, res.Fields[2])

				res, err = b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.UploadID, Fields: ckan.StringList{"id", "amount"}, RecordsFormat: ckan.FormatLists, Limit: new(1)})
				require.NoError(t, err)
				require.Equal(t, [][]any{{"a", json.Number("12345678901234567890.000000000000000001")}}, res.Lists)
				res, err = b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.UploadID, Fields: ckan.StringList{"id"}, RecordsFormat: ckan.FormatCSV, Sort: "id"})
				require.NoError(t, err)
				require.Equal(t, "a\nb\n", res.Text)

				_, err = b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: b.UploadID, Filters: map[string]any{"nope": 1}})
				ae := requireAPIError(t, err, ckan.ErrValidation, 409, "filters")
				require.Equal(t, `invalid value "nope"`, ae.FieldError("filters"))
				_, err = b.Anon.DatastoreSearch(ctx, &ckan.SearchRequest{ResourceID: "missing"})
				requireAPIError(t, err, ckan.ErrNotFound, 404, "")
			})
			t.Run("datastore_info", func(t *testing.T) {
				info, err := b.Anon.DatastoreInfo(ctx, "payments")
				require.NoError(t, err)
				require.Equal(t, b.UploadID, info.Meta.ID)
				require.Equal(t, int64(2), info.Meta.Count)
				require.Equal(t, ckan.StringList{"payments"}, info.Meta.Aliases)
				require.Equal(t, "numeric", info.Fields[1].Type)
				require.True(t, info.Fields[0].Schema.UniqueKey)
				_, err = b.Anon.DatastoreInfo(ctx, "missing")
				requireAPIError(t, err, ckan.ErrNotFound, 404, "")
			})
			t.Run("resource_show, resource_patch, package_show", func(t *testing.T) {
				r, err := b.Anon.ResourceShow(ctx, b.UploadID)
				require.NoError(t, err)
				require.True(t, r.DatastoreActive)
				require.Equal(t, "http://files/employees.csv", r.URL)
				require.Equal(t, "upload", r.Extra["url_type"])
				r, err = b.Editor.ResourcePatch(ctx, b.UploadID, map[string]any{"hash": "h1"})
				require.NoError(t, err)
				require.Equal(t, "h1", r.Hash)
				require.Equal(t, "employees.csv", r.Name)
				_, err = b.Anon.ResourcePatch(ctx, b.UploadID, map[string]any{"hash": "h2"})
				requireAPIError(t, err, ckan.ErrNotAuthorized, 403, "")
				_, err = b.Anon.ResourceShow(ctx, "missing")
				requireAPIError(t, err, ckan.ErrNotFound, 404, "")
				p, err := b.Anon.PackageShow(ctx, "employees")
				require.NoError(t, err)
				require.Equal(t, b.DatasetID, p.ID)
				require.Len(t, p.Resources, 3)
				_, err = b.Anon.PackageShow(ctx, "missing")
				requireAPIError(t, err, ckan.ErrNotFound, 404, "")
			})
			t.Run("aircan_status_update", func(t *testing.T) {
				require.NoError(t, b.Editor.AircanStatusUpdate(ctx, &ckan.StatusUpdate{ResourceID: b.UploadID, State: ckan.StateProgress, Message: "loading"}))
				require.NoError(t, b.Editor.AircanStatusUpdate(ctx, &ckan.StatusUpdate{ResourceID: b.UploadID, State: ckan.StateError, Message: "failed", Error: &ckan.StatusError{Message: "bad"}}))
				err := b.Anon.AircanStatusUpdate(ctx, &ckan.StatusUpdate{ResourceID: b.UploadID, State: ckan.StateComplete})
				requireAPIError(t, err, ckan.ErrNotAuthorized, 403, "")
				calls := b.Server.StatusUpdates()
				require.Len(t, calls, 2)
				require.Equal(t, ckan.StateError, calls[1].State)
				require.Equal(t, "bad", calls[1].ErrorMessage)
				require.NotEmpty(t, calls[0].LastUpdated)
			})
			t.Run("datastore_records_delete and datastore_delete", func(t *testing.T) {
				_, err := b.Editor.DatastoreRecordsDelete(ctx, &ckan.DeleteRequest{ResourceID: b.UploadID, Force: true, Filters: map[string]any{"id": "a"}})
				require.NoError(t, err)
				info, err := b.Anon.DatastoreInfo(ctx, b.UploadID)
				require.NoError(t, err)
				require.Equal(t, int64(1), info.Meta.Count)
				_, err = b.Editor.DatastoreDelete(ctx, &ckan.DeleteRequest{ResourceID: b.UploadID, Force: true, Filters: map[string]any{}})
				require.NoError(t, err)
				info, err = b.Anon.DatastoreInfo(ctx, b.UploadID)
				require.NoError(t, err)
				require.Equal(t, int64(0), info.Meta.Count, "{} deletes every row and keeps the table")
				_, err = b.Editor.DatastoreDelete(ctx, &ckan.DeleteRequest{ResourceID: b.UploadID})
				requireAPIError(t, err, ckan.ErrValidation, 409, "read-only")
				_, err = b.Editor.DatastoreDelete(ctx, &ckan.DeleteRequest{ResourceID: b.UploadID, Force: true})
				require.NoError(t, err)
				r, err := b.Anon.ResourceShow(ctx, b.UploadID)
				require.NoError(t, err)
				require.False(t, r.DatastoreActive)
				_, err = b.Editor.DatastoreDelete(ctx, &ckan.DeleteRequest{ResourceID: b.UploadID, Force: true})
				requireAPIError(t, err, ckan.ErrNotFound, 404, "")
			})
		})
	}
}

// requireAPIError checks err is an *APIError matching sentinel with the
// status, and (when key is set) a message under key.
func requireAPIError(t *testing.T, err error, sentinel error, status int, key string) *ckan.APIError {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var ae *ckan.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, status, ae.StatusCode)
	if key != "" {
		require.NotEmpty(t, ae.FieldError(key), "%v", ae)
	}
	return ae
}

func TestSearchAll(t *testing.T) {
	t.Parallel()
	for _, be := range ckantest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// The server allows 700 rows per request; the client asks for
			// pages of 1000 and must follow the clamp.
			b := ckantest.NewFixture(t, be, &ckantest.Options{RowsMax: 700})
			const n = 2345
			recs := make([]ckan.Record, n)
			for i := range recs {
				recs[i] = ckan.Record{"n": i, "odd": i % 2}
			}
			_, err := b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.DatastoreID, Fields: []ckan.Field{{ID: "n", Type: "int"}, {ID: "odd", Type: "int"}}})
			require.NoError(t, err)
			var progress []int
			sent, err := b.Editor.UpsertChunked(ctx, &ckan.UpsertRequest{ResourceID: b.DatastoreID, Method: ckan.MethodInsert, Records: recs},
				&ckan.ChunkOptions{Rows: 500, Progress: func(s int) { progress = append(progress, s) }})
			require.NoError(t, err)
			require.Equal(t, n, sent)
			require.Equal(t, []int{500, 1000, 1500, 2000, 2345}, progress)

			tests := []struct {
				name  string
				req   ckan.SearchRequest
				opts  *ckan.IterOptions
				want  int
				first int
			}{
				{"all rows, clamped pages", ckan.SearchRequest{}, nil, n, 0},
				{"small pages", ckan.SearchRequest{}, &ckan.IterOptions{PageSize: 100}, n, 0},
				{"filtered", ckan.SearchRequest{Filters: map[string]any{"odd": 1}}, nil, n / 2, 1},
				{"limit and offset", ckan.SearchRequest{Limit: new(1500), Offset: 10}, nil, 1500, 10},
				{"sorted desc", ckan.SearchRequest{Sort: "n desc"}, nil, n, n - 1},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					req := tc.req
					req.ResourceID = b.DatastoreID
					seen := map[string]bool{}
					count := 0
					for rec, err := range b.Anon.SearchAll(ctx, &req, tc.opts) {
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
			for _, err := range b.Anon.SearchAll(ctx, &ckan.SearchRequest{ResourceID: "missing"}, nil) {
				require.ErrorIs(t, err, ckan.ErrNotFound)
			}
		})
	}
}

func jsonInt(i int) string { b, _ := json.Marshal(i); return string(b) }
