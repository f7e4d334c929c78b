package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/status/sqlstatus"
	"github.com/datafactory/datafactory/status/statushttp"
	"github.com/spf13/cobra"
)

// errNoStatus: no status store was configured.
var errNoStatus = errors.New("no status store: pass --status or set " + EnvStatusURL)

// statusFlag registers --status on cmd.
func statusFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "status", "", "status store: a database URL or a datafactory service's http(s) URL (default $"+EnvStatusURL+")")
}

// openStatus opens the status store named by --status or the environment;
// errNoStatus when neither is set and required.
func (m *Main) openStatus(ctx context.Context, flag string) (*status.Store, error) {
	arg := flag
	if arg == "" {
		arg = m.Getenv(EnvStatusURL)
	}
	if arg == "" {
		return nil, errNoStatus
	}
	u := arg
	if flag != "" {
		var err error
		if u, err = m.resolveURL(flag); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		s, err := statushttp.NewClient(u, &statushttp.ClientOptions{Token: m.Getenv(EnvToken)})
		if err != nil {
			return nil, fmt.Errorf("status service %s: %w", redact(u), err)
		}
		return s, nil
	}
	s, err := sqlstatus.Open(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("open status store %s: %w", redact(u), err)
	}
	return s, nil
}
