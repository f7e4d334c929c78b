package ckan_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/ckantest"
	"github.com/stretchr/testify/require"
)

// TestClientPortableTo210: the same client calls work on a CKAN 2.10
// server (token in Authorization, info by "id", no delete_fields unless
// asked), and its 2.10-only answers decode.
func TestClientPortableTo210(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := ckantest.NewFixture(t, ckantest.Backends()[0], &ckantest.Options{Version: "2.10"})
	_, err := b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.DatastoreID, Fields: []ckan.Field{{ID: "a", Type: "text"}, {ID: "n", Type: "numeric"}}})
	require.NoError(t, err)
	info, err := b.Anon.DatastoreInfo(ctx, b.DatastoreID)
	require.NoError(t, err)
	require.Len(t, info.Fields, 2)
	_, err = b.Editor.DatastoreUpsert(ctx, &ckan.UpsertRequest{ResourceID: b.DatastoreID, Method: ckan.MethodInsert,
		Records: []ckan.Record{{"a": "x", "n": "1"}, {"a": "y", "n": ""}}})
	ae := requireAPIError(t, err, ckan.ErrValidation, 409, "records")
	require.NotNil(t, ae.RecordsRow, "_records_row is read")
	require.Equal(t, 1, *ae.RecordsRow)
	_, err = b.Editor.DatastoreRecordsDelete(ctx, &ckan.DeleteRequest{ResourceID: b.DatastoreID, Filters: map[string]any{"a": "x"}})
	require.ErrorIs(t, err, ckan.ErrBadRequest, "datastore_records_delete does not exist before 2.11")
	_, err = b.Editor.DatastoreCreate(ctx, &ckan.CreateRequest{ResourceID: b.DatastoreID, DeleteFields: true, Fields: []ckan.Field{{ID: "a", Type: "text"}}})
	requireAPIError(t, err, ckan.ErrValidation, 409, "__junk")
}
