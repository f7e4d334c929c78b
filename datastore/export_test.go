package datastore

// SetCastWorkers makes loads cast records on n goroutines (0: the
// default) and returns the previous setting.
func SetCastWorkers(n int) int { return int(castWorkersOverride.Swap(int32(n))) }
