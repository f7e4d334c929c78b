package cli

import (
	"context"
	"fmt"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
)

// openStore opens a table store from a URL argument (see resolveURL).
func (m *Main) openStore(ctx context.Context, arg string) (*datastore.Store, error) {
	u, err := m.resolveURL(arg)
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(u), err)
	}
	return s, nil
}
