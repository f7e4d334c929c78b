package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/schollz/progressbar/v3"
)

// progressFunc returns a datastore progress callback for a load of total
// bytes (0 when unknown): a bar with bytes, rows, rows/s and ETA on a
// terminal, plain lines otherwise. finish ends the bar.
func (m *Main) progressFunc(table string, total int64) (fn func(datastore.Progress), finish func()) {
	if !m.Terminal {
		return plainProgress(m.Stderr, table), func() {}
	}
	max := total
	if max <= 0 {
		max = -1 // spinner
	}
	bar := progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(m.Stderr),
		progressbar.OptionSetDescription(table),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
	)
	fn = func(p datastore.Progress) {
		bar.Describe(fmt.Sprintf("%s: %d rows, %.0f rows/s", table, p.Read, rate(p.Read, p.Elapsed)))
		if p.Bytes > 0 {
			_ = bar.Set64(p.Bytes)
		}
	}
	return fn, func() { _ = bar.Finish(); fmt.Fprintln(m.Stderr) }
}

// plainProgress prints one line per progress report.
func plainProgress(w io.Writer, table string) func(datastore.Progress) {
	return func(p datastore.Progress) {
		fmt.Fprintf(w, "%s: %d rows read, %d rejected, %.1f MB, %.0f rows/s, %s\n",
			table, p.Read, p.Rejected, float64(p.Bytes)/1e6, rate(p.Read, p.Elapsed), p.Elapsed.Round(time.Millisecond))
	}
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
