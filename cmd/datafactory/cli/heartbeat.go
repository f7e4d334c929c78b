package cli

import (
	"fmt"
	"time"

	"github.com/datafactory/datafactory/service"
)

// EnvHeartbeatTimeout is the heartbeat timeout shared by serve (which
// fails RUNNING jobs whose heartbeat is older) and run (whose job
// heartbeats every quarter of it), e.g. "2m".
const EnvHeartbeatTimeout = "DATAFACTORY_HEARTBEAT_TIMEOUT"

// heartbeatTimeout is flag, else $DATAFACTORY_HEARTBEAT_TIMEOUT, else
// service.DefaultHeartbeatTimeout.
func (m *Main) heartbeatTimeout(flag time.Duration) (time.Duration, error) {
	if flag > 0 {
		return flag, nil
	}
	s := m.Getenv(EnvHeartbeatTimeout)
	if s == "" {
		return service.DefaultHeartbeatTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration such as 2m", EnvHeartbeatTimeout)
	}
	return d, nil
}
