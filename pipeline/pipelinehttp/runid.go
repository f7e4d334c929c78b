package pipelinehttp

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// MaxRunIDLen is the longest run id, in bytes (Airflow's ID_LEN).
const MaxRunIDLen = 250

// runIDPattern is Airflow's default allowed_run_id_pattern.
var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.~:+-]+$`)

// ErrInvalidRunID is matched by the errors of [ValidateRunID].
var ErrInvalidRunID = errors.New("invalid run id")

// ValidateRunID checks a run id given by a request against Airflow's rule:
// 1 to MaxRunIDLen bytes of letters, digits and "_.~:+-". It also refuses
// ids holding "..", since a run id names a directory of the run's bucket.
// So "/", NUL, control characters and spaces are all refused.
func ValidateRunID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: it is empty", ErrInvalidRunID)
	case len(id) > MaxRunIDLen:
		return fmt.Errorf("%w: it is %d bytes long, the limit is %d", ErrInvalidRunID, len(id), MaxRunIDLen)
	case !runIDPattern.MatchString(id):
		return fmt.Errorf("%w: only letters, digits and _.~:+- are allowed", ErrInvalidRunID)
	case strings.Contains(id, ".."):
		return fmt.Errorf(`%w: it contains ".."`, ErrInvalidRunID)
	}
	return nil
}
