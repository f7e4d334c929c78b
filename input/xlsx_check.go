package input

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"
)

// checkSheet reads the sheet's XML once, before it is converted, and fails
// on what would load wrong values: merged cells, and formulas without a
// stored value.
func checkSheet(zr *zip.Reader, sheet string) error {
	name, err := sheetPart(zr, sheet)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	f, err := zr.Open(name)
	if err != nil {
		return fmt.Errorf("xlsx: %s: %w", name, err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	var cell string
	var formula, value bool
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("xlsx: %s: %w", name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "c":
				cell, formula, value = attr(t, "r"), false, false
			case "f":
				formula = true
			case "v":
				value = true
			case "mergeCell":
				return &SheetError{Sheet: sheet, Cell: "range " + attr(t, "ref"), Reason: "merged cells keep their value only in the first cell of the range; unmerge them (filling the cells) or export the sheet as CSV"}
			}
		case xml.EndElement:
			if t.Name.Local == "c" && formula && !value {
				return &SheetError{Sheet: sheet, Cell: "cell " + cell, Reason: "has a formula but no computed value (the file was not saved by a spreadsheet program that calculates); open and save it in one, or export the sheet as CSV"}
			}
		}
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// sheetPart finds the zip part of a sheet through xl/workbook.xml and its
// relationships.
func sheetPart(zr *zip.Reader, sheet string) (string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(zr, "xl/workbook.xml", &wb); err != nil {
		return "", err
	}
	if err := decodePart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", err
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rel {
			if r.ID == s.RID {
				if strings.HasPrefix(r.Target, "/") {
					return strings.TrimPrefix(r.Target, "/"), nil
				}
				return path.Join("xl", r.Target), nil
			}
		}
	}
	return "", fmt.Errorf("sheet %q has no part in the workbook", sheet)
}

// decodePart decodes a small XML part, at most 16 MiB.
func decodePart(zr *zip.Reader, name string, v any) error {
	f, err := zr.Open(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	if err := xml.NewDecoder(io.LimitReader(f, 16<<20)).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
