package storagetest

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// readProcStatus returns the value in KiB of one /proc/self/status field,
// or 0 where /proc is unavailable.
func readProcStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
