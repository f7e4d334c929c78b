package statuscli

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// writeTable prints rows as a PrettyTable-style grid. Cells may span
// several lines; the Error(s) column wraps at errorsWidth.
func writeTable(w io.Writer, cols []column, rows [][]any, loc *time.Location) error {
	cells, widths := layout(cols, rows, loc)
	var sb strings.Builder
	rule := func() {
		sb.WriteByte('+')
		for _, wd := range widths {
			sb.WriteString(strings.Repeat("-", wd+2))
			sb.WriteByte('+')
		}
		sb.WriteByte('\n')
	}
	line := func(texts []string) {
		sb.WriteByte('|')
		for i, t := range texts {
			sb.WriteString(" " + t + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(t)) + " |")
		}
		sb.WriteByte('\n')
	}
	rule()
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.header
	}
	line(header)
	rule()
	for _, row := range cells {
		height := 1
		for _, c := range row {
			height = max(height, len(c))
		}
		for l := range height {
			texts := make([]string, len(row))
			for i, c := range row {
				if l < len(c) {
					texts[i] = c[l]
				}
			}
			line(texts)
		}
	}
	rule()
	_, err := io.WriteString(w, sb.String())
	return err
}

// layout renders every cell as lines and measures the column widths.
func layout(cols []column, rows [][]any, loc *time.Location) (cells [][][]string, widths []int) {
	cells = make([][][]string, len(rows)) // row → column → lines
	widths = make([]int, len(cols))
	for i, c := range cols {
		widths[i] = utf8.RuneCountInString(c.header)
	}
	for r, row := range rows {
		cells[r] = make([][]string, len(cols))
		for i, v := range row {
			text := tableCell(v, loc)
			if cols[i].key == "errors" {
				text = wrap(text, errorsWidth)
			}
			lines := strings.Split(text, "\n")
			for _, l := range lines {
				widths[i] = max(widths[i], utf8.RuneCountInString(l))
			}
			cells[r][i] = lines
		}
	}
	return cells, widths
}

// wrap breaks each line of s at spaces so no line exceeds width runes
// (a longer word is split).
func wrap(s string, width int) string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var cur []rune
		for _, word := range strings.Fields(para) {
			wr := []rune(word)
			if len(cur) > 0 && len(cur)+1+len(wr) > width {
				out = append(out, string(cur))
				cur = nil
			}
			for len(wr) > width {
				out = append(out, string(wr[:width]))
				wr = wr[width:]
			}
			if len(cur) > 0 {
				cur = append(cur, ' ')
			}
			cur = append(cur, wr...)
		}
		out = append(out, string(cur))
	}
	return strings.Join(out, "\n")
}
