package ckan

import (
	"context"
	"encoding/json"
	"fmt"
)

// Default chunk bounds: 250 rows is what DataPusher, xloader and AirCan
// send. 900 KiB of records keeps a whole request (records plus the
// request's other keys) below nginx's default client_max_body_size of
// 1 MiB, the limit most CKAN sites sit behind (CKAN itself has none).
const (
	DefaultChunkRows  = 250
	DefaultChunkBytes = 900 << 10
)

// ChunkRecords splits records into consecutive chunks of at most maxRows
// records whose JSON encoding (as a list) is at most maxBytes. A value ≤ 0
// means the default. A single record larger than maxBytes fails with
// ErrRequestTooLarge naming its index.
func ChunkRecords(records []Record, maxRows, maxBytes int) ([][]Record, error) {
	if maxRows <= 0 {
		maxRows = DefaultChunkRows
	}
	if maxBytes <= 0 {
		maxBytes = DefaultChunkBytes
	}
	var chunks [][]Record
	start, size := 0, 2 // "[]"
	for i, rec := range records {
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("ckanstore: encode record %d: %w", i, err)
		}
		n := len(b) + 1 // the separating comma
		if len(b)+2 > maxBytes {
			return nil, fmt.Errorf("ckanstore: record %d is %d bytes, over the %d byte chunk limit: %w",
				i, len(b), maxBytes, ErrRequestTooLarge)
		}
		if i > start && (i-start >= maxRows || size+n > maxBytes) {
			chunks = append(chunks, records[start:i])
			start, size = i, 2
		}
		size += n
	}
	if start < len(records) {
		chunks = append(chunks, records[start:])
	}
	return chunks, nil
}

// ChunkOptions bounds the requests of [Client.UpsertChunked].
type ChunkOptions struct {
	// Rows per request. Default DefaultChunkRows.
	Rows int
	// Bytes bounds the encoded records of one request. Default
	// DefaultChunkBytes.
	Bytes int
	// Progress, if set, is called after each chunk with the rows sent so far.
	Progress func(sent int)
}

// UpsertChunked sends req.Records in chunks, each as its own
// datastore_upsert with req's method and flags. It returns the number of
// records written; on error, the records of earlier chunks stay written.
func (c *Client) UpsertChunked(ctx context.Context, req *UpsertRequest, opts *ChunkOptions) (int, error) {
	var o ChunkOptions
	if opts != nil {
		o = *opts
	}
	chunks, err := ChunkRecords(req.Records, o.Rows, o.Bytes)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, chunk := range chunks {
		part := *req
		part.Records = chunk
		if _, err := c.DatastoreUpsert(ctx, &part); err != nil {
			return sent, fmt.Errorf("rows %d-%d: %w", sent, sent+len(chunk)-1, err)
		}
		sent += len(chunk)
		if o.Progress != nil {
			o.Progress(sent)
		}
	}
	return sent, nil
}
