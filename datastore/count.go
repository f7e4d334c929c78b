package datastore

import (
	"context"
	"errors"

	"github.com/datafactory/datafactory/frictionless"
)

// CountRows returns the number of rows in the table: one COUNT(*) in a
// snapshot on the backends that take one (sqlstore), else a scan of the
// rows (the CKAN DataStore). ErrNotFound when the table does not exist.
func (s *Store) CountRows(ctx context.Context, table string) (int64, error) {
	sn, err := s.Snapshot(ctx)
	switch {
	case err == nil:
		defer sn.Close()
		if _, err := sn.DescribeTable(ctx, table); err != nil {
			return 0, err
		}
		return sn.CountRows(ctx, table)
	case !errors.Is(err, errors.ErrUnsupported):
		return 0, err
	}
	var n int64
	_, err = s.ReadRows(ctx, table, func(frictionless.Row) error {
		n++
		return nil
	})
	return n, err
}
