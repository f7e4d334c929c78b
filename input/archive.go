package input

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"strings"
)

// gunzip streams the decompressed content.
func (in *Input) gunzip(br *bufio.Reader, o *Options) error {
	zr, err := gzip.NewReader(br)
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	in.Format, in.r = FormatGzip, limitReader(zr, o.MaxBytes)
	in.onClose(zr.Close)
	return nil
}

// archive opens a zip archive: an XLSX workbook, or a zip of CSV files. A
// local file is read in place; any other source is spooled to disk first.
func (in *Input) archive(ctx context.Context, br *bufio.Reader, src *source, o *Options) error {
	file := src.file
	if file == nil {
		f, cleanup, err := spool(br, o.tempDir())
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		in.onClose(cleanup)
		file = f
	}
	st, err := file.Stat()
	if err != nil {
		return err
	}
	if o.MaxBytes >= 0 && st.Size() > o.MaxBytes {
		return fmt.Errorf("%w (%d bytes)", ErrTooLarge, o.MaxBytes)
	}
	zr, err := zip.NewReader(file, st.Size())
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			return in.xlsx(ctx, file, zr, o)
		}
	}
	return in.zipMember(zr, o)
}

// zipMember streams the chosen member of a zip of CSV files.
func (in *Input) zipMember(zr *zip.Reader, o *Options) error {
	var pick *zip.File
	var names []string
	for _, f := range zr.File {
		if !dataMember(f) {
			continue
		}
		names = append(names, f.Name)
		if o.Member != "" && f.Name == o.Member || o.Member == "" && pick == nil {
			pick = f
		}
	}
	switch {
	case o.Member != "" && (pick == nil || pick.Name != o.Member):
		return fmt.Errorf("%w: zip member %q", ErrNotFound, o.Member)
	case pick == nil:
		return fmt.Errorf("%w: the zip archive has no file", ErrUnsupported)
	case o.Member == "" && len(names) > 1:
		return fmt.Errorf("zip: %d members (%s): name one in Options.Member", len(names), shortList(names, 5))
	}
	rc, err := pick.Open()
	if err != nil {
		return fmt.Errorf("zip member %q: %w", pick.Name, err)
	}
	in.Format, in.Name, in.r = FormatZip, pick.Name, limitReader(rc, o.MaxBytes)
	in.onClose(rc.Close)
	return nil
}

// dataMember is false for directories and metadata macOS adds to archives.
func dataMember(f *zip.File) bool {
	name := f.Name
	return !f.FileInfo().IsDir() && !strings.HasPrefix(name, "__MACOSX/") &&
		!strings.HasSuffix(name, "/.DS_Store") && name != ".DS_Store"
}

func shortList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + ", …"
}
