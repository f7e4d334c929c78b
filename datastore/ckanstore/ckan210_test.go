package ckanstore_test

import (
	"context"
	"testing"

	"github.com/datafactory/datafactory/datastore/ckanstore"
	"github.com/datafactory/datafactory/datastore/ckanstore/ckantest"
	"github.com/stretchr/testify/require"
)

// TestClientPortableTo210: the same client calls work on a CKAN 2.10
// server (token in Authorization, info by "id", no delete_fields unless
// asked), and its 2.10-only answers decode.
func TestClientPortableTo210(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, backends()[0], &ckantest.Options{Version: "2.10"})
	_, err := b.editor.DatastoreCreate(ctx, &ckanstore.CreateRequest{ResourceID: b.datastoreID, Fields: []ckanstore.Field{{ID: "a", Type: "text"}, {ID: "n", Type: "numeric"}}})
	require.NoError(t, err)
	info, err := b.anon.DatastoreInfo(ctx, b.datastoreID)
	require.NoError(t, err)
	require.Len(t, info.Fields, 2)
	_, err = b.editor.DatastoreUpsert(ctx, &ckanstore.UpsertRequest{ResourceID: b.datastoreID, Method: ckanstore.MethodInsert,
		Records: []ckanstore.Record{{"a": "x", "n": "1"}, {"a": "y", "n": ""}}})
	ae := requireAPIError(t, err, ckanstore.ErrValidation, 409, "records")
	require.NotNil(t, ae.RecordsRow, "_records_row is read")
	require.Equal(t, 1, *ae.RecordsRow)
	_, err = b.editor.DatastoreRecordsDelete(ctx, &ckanstore.DeleteRequest{ResourceID: b.datastoreID, Filters: map[string]any{"a": "x"}})
	require.ErrorIs(t, err, ckanstore.ErrBadRequest, "datastore_records_delete does not exist before 2.11")
	_, err = b.editor.DatastoreCreate(ctx, &ckanstore.CreateRequest{ResourceID: b.datastoreID, DeleteFields: true, Fields: []ckanstore.Field{{ID: "a", Type: "text"}}})
	requireAPIError(t, err, ckanstore.ErrValidation, 409, "__junk")
}
