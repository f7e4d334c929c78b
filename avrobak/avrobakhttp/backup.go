package avrobakhttp

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/storage"
)

// BackupResponse is the answer to a backup into the bucket.
type BackupResponse struct {
	Table  string `json:"table"`
	Key    string `json:"key"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	Codec  string `json:"codec"`
	SHA256 string `json:"sha256"`
}

// RestoreResponse is the answer to a restore.
type RestoreResponse struct {
	Table  string `json:"table"`
	Source string `json:"source"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

func (h *Handler) backup(w http.ResponseWriter, r *http.Request) {
	table, ok := h.table(w, r)
	if !ok {
		return
	}
	if h.opts.Bucket == nil {
		var buf bytes.Buffer
		if _, err := avrobak.Backup(r.Context(), h.store, table, &buf, nil); err != nil {
			h.internal(w, r, err)
			return
		}
		w.Header().Set("Content-Type", avrobak.ContentType)
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", table+".avro"))
		_, _ = w.Write(buf.Bytes())
		return
	}
	key, err := h.key(r, table)
	if err != nil {
		httplog.Message(w, http.StatusBadRequest, err.Error())
		return
	}
	rep, err := avrobak.BackupToBucket(r.Context(), h.store, table, h.opts.Bucket, key, nil)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	httplog.JSON(w, http.StatusOK, BackupResponse{Table: table, Key: key, Rows: rep.Rows, Bytes: rep.Bytes,
		Codec: string(rep.Codec), SHA256: rep.SHA256})
}

func (h *Handler) restore(w http.ResponseWriter, r *http.Request) {
	table, ok := h.table(w, r)
	if !ok {
		return
	}
	var (
		rep    *avrobak.RestoreReport
		err    error
		source string
	)
	switch {
	case r.ContentLength != 0 && r.Header.Get("Content-Type") == avrobak.ContentType:
		source = "request body"
		rep, err = avrobak.Restore(r.Context(), http.MaxBytesReader(w, r.Body, h.opts.MaxRestoreBytes), h.store, table, nil)
	case h.opts.Bucket != nil:
		if source, err = h.key(r, table); err != nil {
			httplog.Message(w, http.StatusBadRequest, err.Error())
			return
		}
		rep, err = avrobak.RestoreFromBucket(r.Context(), h.opts.Bucket, source, h.store, table, nil)
	default:
		httplog.Message(w, http.StatusBadRequest, "post the Avro file with Content-Type "+avrobak.ContentType)
		return
	}
	if err != nil {
		h.restoreError(w, r, source, err)
		return
	}
	httplog.JSON(w, http.StatusOK, RestoreResponse{Table: table, Source: source, Rows: rep.Rows, SHA256: rep.SHA256})
}

// restoreError maps damaged or foreign files to 4xx, a missing backup to
// 404, the rest to 500.
func (h *Handler) restoreError(w http.ResponseWriter, r *http.Request, source string, err error) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		httplog.Message(w, http.StatusRequestEntityTooLarge, "the Avro file is too large")
	case errors.Is(err, avrobak.ErrCorrupt), errors.Is(err, avrobak.ErrTruncated),
		errors.Is(err, avrobak.ErrCountMismatch), errors.Is(err, avrobak.ErrSchemaMismatch):
		httplog.Message(w, http.StatusUnprocessableEntity, "restore refused: "+err.Error())
	case h.opts.Bucket != nil && errors.Is(err, storage.ErrNotFound):
		httplog.Message(w, http.StatusNotFound, "no backup at "+source)
	default:
		h.internal(w, r, err)
	}
}
