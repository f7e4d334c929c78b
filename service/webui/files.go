package webui

import (
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
)

// maxListedFiles caps the files a run page lists.
const maxListedFiles = 500

// runFiles lists a run's files in the bucket (nil without a bucket).
func (h *Handler) runFiles(r *http.Request, dag, id string) ([]storage.Object, error) {
	if h.o.Bucket == nil {
		return nil, nil
	}
	var out []storage.Object
	for obj, err := range h.o.Bucket.List(r.Context(), h.o.Bucket.Run(dag, id).Prefix()) {
		if err != nil {
			return nil, err
		}
		if out = append(out, obj); len(out) == maxListedFiles {
			break
		}
	}
	return out, nil
}

// file sends one of a run's files as a download; keys outside the run's
// prefix are 404.
func (h *Handler) file(w http.ResponseWriter, r *http.Request) {
	id, name := r.PathValue("id"), r.PathValue("name")
	job, err := h.o.Status.Job(r.Context(), id)
	switch {
	case errors.Is(err, status.ErrNotFound) || (err == nil && h.o.Bucket == nil):
		h.fail(w, r, http.StatusNotFound, "no such file")
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	prefix := h.o.Bucket.Run(pipelineOf(job), id).Prefix()
	key := prefix + name
	if name == "" || strings.Contains(name, "..") || path.Clean(key) != key {
		h.fail(w, r, http.StatusNotFound, "no such file")
		return
	}
	attrs, err := h.o.Bucket.Attributes(r.Context(), key)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "no such file")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(path.Base(key), `"`, "")+`"`)
	w.Header().Set("Content-Length", strconv.FormatInt(attrs.Size, 10))
	if _, err := h.o.Bucket.Get(r.Context(), key, w); err != nil {
		h.o.Logger.WarnContext(r.Context(), "webui: send file", "key", key, "error", err.Error())
	}
}
