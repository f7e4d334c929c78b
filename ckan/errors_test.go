package ckan

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeAPIError(t *testing.T) {
	t.Parallel()
	row := 7
	tests := []struct {
		name   string
		status int
		body   string
		want   APIError
		is     []error
		isNot  []error
	}{
		{
			name: "409 with field errors", status: 409,
			body: `{"help":"h","success":false,"error":{"__type":"Validation Error","fields":["\"_a\" is not a valid field name"]}}`,
			want: APIError{StatusCode: 409, Type: "Validation Error", Fields: map[string][]string{"fields": {`"_a" is not a valid field name`}}},
			is:   []error{ErrValidation}, isNot: []error{ErrNotFound, ErrNotAuthorized, ErrBadRequest, ErrServer},
		},
		{
			name: "409 insert error with records_row and info", status: 409,
			body: `{"success":false,"error":{"__type":"Validation Error","records":["invalid input syntax for type integer: \"x\""],"records_row":7,"info":{"orig":["boom"]}}}`,
			want: APIError{StatusCode: 409, Type: "Validation Error", Fields: map[string][]string{"records": {`invalid input syntax for type integer: "x"`}}, RecordsRow: &row, Info: []byte(`{"orig":["boom"]}`)},
			is:   []error{ErrValidation},
		},
		{
			name: "2.10 _records_row and a string value", status: 409,
			body: `{"success":false,"error":{"__type":"Validation Error","_records_row":7,"filters":"filters must be either a dict or null."}}`,
			want: APIError{StatusCode: 409, Type: "Validation Error", Fields: map[string][]string{"filters": {"filters must be either a dict or null."}}, RecordsRow: &row},
			is:   []error{ErrValidation},
		},
		{
			name: "403", status: 403,
			body: `{"success":false,"error":{"__type":"Authorization Error","message":"Access denied: User  not authorized to edit resource r"}}`,
			want: APIError{StatusCode: 403, Type: "Authorization Error", Message: "Access denied: User  not authorized to edit resource r"},
			is:   []error{ErrNotAuthorized}, isNot: []error{ErrValidation, ErrNotFound},
		},
		{
			name: "404", status: 404,
			body: `{"success":false,"error":{"__type":"Not Found Error","message":"Not found: Resource \"r\" was not found."}}`,
			want: APIError{StatusCode: 404, Type: "Not Found Error", Message: `Not found: Resource "r" was not found.`},
			is:   []error{ErrNotFound}, isNot: []error{ErrValidation},
		},
		{
			name: "bare-string 400", status: 400,
			body: `"Bad request - Action name not known: nope"`,
			want: APIError{StatusCode: 400, Bare: "Bad request - Action name not known: nope"},
			is:   []error{ErrBadRequest}, isNot: []error{ErrValidation, ErrServer},
		},
		{
			name: "400 Integrity Error", status: 400,
			body: `{"success":false,"error":{"__type":"Integrity Error","message":"Only lists of dicts can be placed against subschema ('fields',), not <class 'str'>","data":{"fields":"a"}}}`,
			want: APIError{StatusCode: 400, Type: "Integrity Error", Message: "Only lists of dicts can be placed against subschema ('fields',), not <class 'str'>", Data: []byte(`{"fields":"a"}`)},
			is:   []error{ErrValidation}, isNot: []error{ErrBadRequest},
		},
		{
			name: "500", status: 500,
			body: `{"success":false,"error":{"__type":"Internal Server Error","message":"Internal Server Error"}}`,
			want: APIError{StatusCode: 500, Type: "Internal Server Error", Message: "Internal Server Error"},
			is:   []error{ErrServer},
		},
		{
			name: "proxy HTML", status: 502, body: `<html>bad gateway</html>`,
			want: APIError{StatusCode: 502, Message: "<html>bad gateway</html>"},
			is:   []error{ErrServer},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := decodeAPIError("datastore_create", tc.status, []byte(tc.body))
			tc.want.Action = "datastore_create"
			require.Equal(t, &tc.want, got)
			var err error = got
			for _, s := range tc.is {
				require.ErrorIs(t, err, s)
			}
			for _, s := range tc.isNot {
				require.NotErrorIs(t, err, s)
			}
			require.Contains(t, err.Error(), "ckan datastore_create: HTTP ")
		})
	}
}

func TestDecodeResponseSuccessFalseWith200(t *testing.T) {
	t.Parallel()
	err := decodeResponse("x", http.StatusOK, []byte(`{"success":false,"error":{"__type":"Validation Error","a":["b"]}}`), nil)
	var ae *APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, "b", ae.FieldError("a"))
	require.ErrorIs(t, err, ErrValidation)
}
