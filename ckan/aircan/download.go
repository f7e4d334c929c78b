package aircan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/storage"
)

// fileInfo is the download task's output.
type fileInfo struct {
	Name  string `json:"name"` // in the download task's directory
	Bytes int64  `json:"bytes"`
	Hash  string `json:"hash"` // "sha256:<hex>"
}

// errTooLarge is returned when a download exceeds MaxDownloadBytes.
var errTooLarge = errors.New("the file is larger than the download limit")

// download copies the data (an http(s) URL, or a local file under
// FileRoot) into the task's directory, streaming, with its size and hash.
func (l *loader) download(ctx context.Context, r *run) error {
	if err := r.upstream(ctx); err != nil {
		return err
	}
	src := r.source()
	if src == "" {
		return pipeline.Permanent(errors.New("no data to load: neither resource.path nor the resource's url is set"))
	}
	var (
		body io.ReadCloser
		err  error
	)
	if isHTTP(src) {
		body, err = l.get(ctx, r, src)
	} else {
		body, err = l.openLocal(src)
	}
	if err != nil {
		return err
	}
	defer body.Close()
	name := "data." + fileExt(r.format())
	h := sha256.New()
	src2 := &limitReader{r: io.TeeReader(body, h), left: l.cfg.MaxDownloadBytes}
	n, err := r.dir.Put(ctx, name, src2, &storage.WriteOptions{ContentType: "text/" + fileExt(r.format())})
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return pipeline.Permanent(fmt.Errorf("download %s: %w (%d bytes)", sourceName(src), errTooLarge, l.cfg.MaxDownloadBytes))
		}
		return fmt.Errorf("download %s: %w", sourceName(src), err)
	}
	info := fileInfo{Name: name, Bytes: n, Hash: "sha256:" + hex.EncodeToString(h.Sum(nil))}
	r.metaPath, r.metaFormat = name, fileExt(r.format())
	r.meta["bytes"], r.meta["hash"], r.meta["source"] = n, info.Hash, sourceName(src)
	r.tc.AddCounts(pipeline.Counts{FilesIn: 1, FilesOut: 1})
	r.tc.SetStatus("bytes", n)
	r.tc.Logger().InfoContext(ctx, "downloaded", "source", sourceName(src), "bytes", n)
	return r.tc.SetOutput(ctx, outFile, info)
}

// fileExt is the file extension of a format: "tsv" for TSV, else "csv".
func fileExt(format string) string {
	if strings.EqualFold(strings.TrimSpace(format), "tsv") {
		return "tsv"
	}
	return "csv"
}

// get opens an http(s) download. The API key goes only to the CKAN site
// itself (private uploads need it), never to another host.
func (l *loader) get(ctx context.Context, r *run, src string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("download %s: %w", sourceName(src), cause(err)))
	}
	if r.cred.APIKey != "" && sameOrigin(src, r.site) {
		req.Header.Set("Authorization", r.cred.APIKey.Reveal())
	}
	resp, err := l.cfg.downloadClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("download %s: %w", sourceName(src), err)
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		err := fmt.Errorf("download %s: HTTP %s", sourceName(src), resp.Status)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			return nil, pipeline.Permanent(err)
		}
		return nil, err
	}
	return resp.Body, nil
}

// sameOrigin reports whether two URLs have the same scheme and host.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

// openLocal opens a local file, which must be inside FileRoot.
func (l *loader) openLocal(src string) (io.ReadCloser, error) {
	if l.cfg.FileRoot == "" {
		return nil, pipeline.Permanent(fmt.Errorf("local path %q: local files are not allowed (configure a file root)", sourceName(src)))
	}
	p := src
	if strings.HasPrefix(strings.ToLower(p), "file:") {
		u, err := url.Parse(p)
		if err != nil {
			return nil, pipeline.Permanent(fmt.Errorf("local path: %w", err))
		}
		p = u.Path
	}
	root, err := filepath.EvalSymlinks(l.cfg.FileRoot)
	if err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("file root: %w", err))
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("file root: %w", err))
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("local path %q: %w", sourceName(src), cause(err)))
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, pipeline.Permanent(fmt.Errorf("local path %q is outside the file root", sourceName(src)))
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("local path %q: %w", sourceName(src), cause(err)))
	}
	return f, nil
}

// limitReader fails with errTooLarge once more than left bytes were read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

// cause drops one layer of wrapping (a path or URL already named in the
// message), or returns err.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
