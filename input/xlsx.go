package input

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"

	"github.com/xuri/excelize/v2"
)

// xlsxXMLInMemory is the largest workbook part excelize keeps in memory;
// larger sheets and shared strings are read from temporary files.
const xlsxXMLInMemory = 1 << 20

// xlsx converts a sheet of the workbook in file to CSV, streamed through a
// pipe by a goroutine.
func (in *Input) xlsx(ctx context.Context, file *os.File, zr *zip.Reader, o *Options) error {
	limit := o.MaxBytes
	if limit < 0 {
		limit = excelize.UnzipSizeLimit
	}
	f, err := excelize.OpenFile(file.Name(), excelize.Options{
		UnzipSizeLimit: limit, UnzipXMLSizeLimit: min(xlsxXMLInMemory, limit), TmpDir: o.tempDir()})
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	in.onClose(f.Close)
	sheet := o.Sheet
	if sheet == "" {
		if list := f.GetSheetList(); len(list) > 0 {
			sheet = list[0]
		}
	}
	if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		return fmt.Errorf("%w: sheet %q (the workbook has %s)", ErrNotFound, sheet, shortList(f.GetSheetList(), 10))
	}
	if err := checkSheet(zr, sheet); err != nil {
		return err
	}
	if err := isoDateStyles(f); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	rows, err := f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", sheet, err)
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(writeSheetCSV(ctx, rows, date1904, pw))
	}()
	in.Format, in.Name, in.r = FormatXLSX, sheet, limitReader(pr, o.MaxBytes)
	in.onClose(func() error {
		_ = pr.Close() // stops the writer
		<-done
		return rows.Close()
	})
	return nil
}

// writeSheetCSV writes the sheet's rows as CSV: dates in ISO form, rows
// without any value skipped, shorter rows padded to the header's width.
func writeSheetCSV(ctx context.Context, rows *excelize.Rows, date1904 bool, w io.Writer) error {
	cw := csv.NewWriter(w)
	width := -1
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		cells, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if empty(cells) {
			continue
		}
		if width < 0 {
			width = len(cells)
		}
		for i, c := range cells {
			cells[i] = isoCell(c, date1904)
		}
		for len(cells) < width {
			cells = append(cells, "")
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	cw.Flush()
	return cw.Error()
}

func empty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}
