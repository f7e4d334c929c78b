package ckan

import (
	"errors"
	"testing"
)

// FuzzDecodeResponse feeds arbitrary bodies and statuses to the response
// decoder: it must never panic, and every non-200 answer is an *APIError.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(409, []byte(`{"success":false,"error":{"__type":"Validation Error","fields":["x"],"records_row":3}}`))
	f.Add(400, []byte(`"Bad request - Action name not known: x"`))
	f.Add(200, []byte(`{"success":true,"result":{"records":[{"a":1.5}],"records_format":"objects"}}`))
	f.Add(200, []byte(`{"success":true,"result":{"records":"a,b\n","records_format":"csv"}}`))
	f.Add(502, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var out SearchResult
		err := decodeResponse("datastore_search", status, body, &out)
		if status != 200 {
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("status %d: %v is not an *APIError", status, err)
			}
			_ = ae.Error()
		}
	})
}
