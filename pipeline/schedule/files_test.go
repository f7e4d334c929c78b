package schedule_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/storage"
)

// memSource is a FileSource over a growing list; the cursor is the number
// of files already returned.
type memSource struct {
	mu    sync.Mutex
	files []pipeline.File
}

func (m *memSource) add(key string, size int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files = append(m.files, pipeline.File{Key: key, Size: size})
}

func (m *memSource) Poll(_ context.Context, cursor json.RawMessage) ([]pipeline.File, json.RawMessage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	if cursor != nil {
		if err := json.Unmarshal(cursor, &n); err != nil {
			return nil, nil, err
		}
	}
	return append([]pipeline.File(nil), m.files[n:]...), json.RawMessage(strconv.Itoa(len(m.files))), nil
}

func states(t *testing.T, s *schedule.Scheduler) map[string]storage.ElementState {
	t.Helper()
	els, err := s.Files(context.Background(), "new-files")
	require.NoError(t, err)
	out := map[string]storage.ElementState{}
	for _, e := range els {
		out[e.Key] = e.State
	}
	return out
}

func TestFilesTrigger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := &memSource{}
	state := schedule.NewMemoryStateStore()
	log := &runLog{}
	failRun := false
	var s *schedule.Scheduler
	var during []map[string]storage.ElementState
	mk := func() *schedule.Scheduler {
		s := newSched(t, nil, state, log, func() bool {
			during = append(during, states(t, s))
			return failRun
		}, 1)
		require.NoError(t, s.AddTrigger("new-files", schedule.FilesTrigger{Source: src, Threshold: 100}, "view"))
		return s
	}
	s = mk()
	const (
		U = storage.Unconsumed
		C = storage.Consumed
		R = storage.Reserved
		A = storage.Assigned
	)
	src.add("b.csv", 50)
	src.add("a.csv", 30)
	require.NoError(t, s.Tick(ctx))
	require.Zero(t, log.count("view"), "80 bytes < threshold")
	require.Equal(t, map[string]storage.ElementState{"a.csv": U, "b.csv": U}, states(t, s))

	src.add("c.csv", 60)
	src.add("d.csv", 10)
	failRun = true
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, 1, log.count("view"))
	require.Equal(t, []pipeline.File{{Key: "a.csv", Size: 30}, {Key: "b.csv", Size: 50}, {Key: "c.csv", Size: 60}}, log.files[0],
		"the smallest key-ordered prefix reaching 100 bytes")
	require.Equal(t, map[string]storage.ElementState{"a.csv": A, "b.csv": A, "c.csv": A, "d.csv": U}, during[0], "assigned to the run while it runs")
	els, err := s.Files(ctx, "new-files")
	require.NoError(t, err)
	require.Empty(t, els[0].Assignee, "a released file forgets its run")
	stats, err := s.FileStats(ctx, "new-files")
	require.NoError(t, err)
	require.Equal(t, []storage.StateStats{{State: U, Count: 4, Bytes: 150}, {State: R}, {State: A}, {State: C}}, stats)
	_, err = s.FileStats(ctx, "nope")
	require.Error(t, err)
	require.Equal(t, map[string]storage.ElementState{"a.csv": U, "b.csv": U, "c.csv": U, "d.csv": U}, states(t, s),
		"a failed run returns its files, which wait for the next tick")
	require.Equal(t, 1, log.count("view"))

	failRun = false
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, 2, log.count("view"))
	require.Equal(t, map[string]storage.ElementState{"a.csv": C, "b.csv": C, "c.csv": C, "d.csv": U}, states(t, s))
	els, err = s.Files(ctx, "new-files")
	require.NoError(t, err)
	require.Equal(t, log.runIDs[1], els[0].Assignee, "a consumed file names the run that consumed it")

	// A re-uploaded file counts as new.
	src.add("a.csv", 95)
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, map[string]storage.ElementState{"a.csv": C, "b.csv": C, "c.csv": C, "d.csv": C}, states(t, s))
	last := log.files[len(log.files)-1]
	require.Equal(t, []pipeline.File{{Key: "a.csv", Size: 95}, {Key: "d.csv", Size: 10}}, last)

	// A batch reserved by a process that died goes back to UNCONSUMED on
	// restart, and the cursor is not replayed.
	src.add("e.csv", 200)
	crashed := schedule.NewMemoryStateStore()
	require.NoError(t, s.Tick(ctx)) // e.csv consumed normally
	raw, err := state.Get(ctx, "files/new-files")
	require.NoError(t, err)
	// Simulate a process that died mid-run: its saved state has f.csv RESERVED.
	var st struct {
		Cursor    json.RawMessage   `json:"cursor"`
		Elements  []storage.Element `json:"elements"`
		NextBatch int               `json:"next_batch"`
	}
	require.NoError(t, json.Unmarshal(raw, &st))
	st.Elements = append(st.Elements,
		storage.Element{Object: storage.Object{Key: "f.csv", Size: 500}, State: R, Batch: "new-files-99"},
		storage.Element{Object: storage.Object{Key: "g.csv", Size: 1}, State: A, Batch: "new-files-98", Assignee: "dead-run"})
	src.add("f.csv", 500)
	st.Cursor = json.RawMessage(strconv.Itoa(len(src.files)))
	raw, err = json.Marshal(st)
	require.NoError(t, err)
	require.NoError(t, crashed.Put(ctx, "files/new-files", raw))
	s.Stop()
	state = crashed
	s = mk()
	require.Equal(t, R, states(t, s)["f.csv"])
	require.Equal(t, A, states(t, s)["g.csv"])
	require.NoError(t, s.Recover(ctx))
	require.Equal(t, U, states(t, s)["f.csv"])
	require.Equal(t, U, states(t, s)["g.csv"])
	before := log.count("view")
	require.NoError(t, s.Tick(ctx))
	require.Equal(t, before+1, log.count("view"), "f.csv runs once; nothing else is replayed")
	require.Equal(t, []pipeline.File{{Key: "f.csv", Size: 500}}, log.files[len(log.files)-1])
	require.Equal(t, U, states(t, s)["g.csv"], "1 byte waits for the next batch")
	require.Equal(t, C, states(t, s)["f.csv"])
}
