package datastore

import "github.com/datafactory/datafactory/datastore/driver"

// SetCastWorkers makes loads cast records on n goroutines (0: the
// default) and returns the previous setting.
func SetCastWorkers(n int) int { return int(castWorkersOverride.Swap(int32(n))) }

// DriverOf returns the driver a Store wraps.
func DriverOf(s *Store) driver.Driver { return s.drv }
