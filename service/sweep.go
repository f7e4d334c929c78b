package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
)

// sweeper applies the retention rule to each pipeline's runs in the
// bucket, every SweepInterval; runs whose job is not final are kept.
type sweeper struct {
	bucket   *storage.Bucket
	store    *status.Store
	maxAge   time.Duration
	interval time.Duration
	dags     []string
	log      *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}
}

func newSweeper(c *Config, dags []string) *sweeper {
	return &sweeper{bucket: c.Bucket, store: c.Status, maxAge: c.RetainRuns, interval: c.SweepInterval, dags: dags,
		log: c.Logger.With("component", "retention")}
}

func (s *sweeper) start(ctx context.Context) {
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.loop(ctx)
}

func (s *sweeper) stop() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
}

func (s *sweeper) loop(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		s.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep runs one pass over every pipeline's directory.
func (s *sweeper) sweep(ctx context.Context) {
	opts := &storage.SweepOptions{MaxAge: s.maxAge, RunStatus: s.runStatus}
	for _, dag := range s.dags {
		rep, err := s.bucket.Sweep(ctx, dag+"/", opts)
		if err != nil {
			if ctx.Err() == nil {
				s.log.WarnContext(ctx, "sweep failed", slog.String("pipeline", dag), slog.String("error", err.Error()))
			}
			return
		}
		if rep.Count > 0 {
			s.log.InfoContext(ctx, "swept runs", slog.String("pipeline", dag), slog.Int("objects", rep.Count), slog.Int64("bytes", rep.Bytes))
		}
	}
}

// runStatus protects runs whose job is WAITING or RUNNING.
func (s *sweeper) runStatus(ctx context.Context, _, run string) (storage.RunStatus, error) {
	j, err := s.store.Job(ctx, run)
	switch {
	case errors.Is(err, status.ErrNotFound):
		return storage.RunUnknown, nil
	case err != nil:
		return storage.RunUnknown, err
	case j.Status.Terminal():
		return storage.RunUnknown, nil
	}
	return storage.RunActive, nil
}
