package ckantest

import (
	"bytes"
	"io"
	"net/http"
)

// NginxDefaultBodyLimit is nginx's default client_max_body_size (1 MiB),
// the limit most CKAN sites sit behind (CKAN itself has none).
const NginxDefaultBodyLimit = 1 << 20

// nginx413 is the page nginx answers a too large body with.
const nginx413 = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n" +
	"<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// TooLarge returns how many requests were answered 413 (see
// Options.MaxBodyBytes).
func (s *Server) TooLarge() int64 { return s.tooLarge.Load() }

// limitBody answers 413 with nginx's page, before the request reaches
// CKAN, when its body is larger than limit bytes (0: no limit).
func (s *Server) limitBody(limit int64, next http.Handler) http.Handler {
	if limit <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			s.tooLarge.Add(1)
			tooLarge(w)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if int64(len(body)) > limit {
			s.tooLarge.Add(1)
			tooLarge(w)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_, _ = io.WriteString(w, nginx413)
}
