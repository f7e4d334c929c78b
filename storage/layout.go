package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Run addresses the objects of one pipeline run: every key starts with
// "<dag>/<run>/". A Run with an invalid DAG or run name reports the
// [*KeyError] from every method (and from [Run.Err]).
type Run struct {
	b   *Bucket
	dag string
	run string
	err error
}

// Run returns the run directory "<dag>/<run>/". dag and run must be single
// names (see [ValidateName]).
func (b *Bucket) Run(dag, run string) *Run {
	r := &Run{b: b, dag: dag, run: run}
	if err := ValidateName(dag); err != nil {
		r.err = inContext(err, "DAG name")
	} else if err := ValidateName(run); err != nil {
		r.err = inContext(err, "run name")
	}
	return r
}

// Err returns the error that makes the run unusable (an invalid name), or nil.
func (r *Run) Err() error { return r.err }

// DAG returns the DAG name.
func (r *Run) DAG() string { return r.dag }

// ID returns the run name.
func (r *Run) ID() string { return r.run }

// Prefix returns "<dag>/<run>/".
func (r *Run) Prefix() string { return r.dag + "/" + r.run + "/" }

// Bucket returns the bucket the run lives in.
func (r *Run) Bucket() *Bucket { return r.b }

// Task returns the task directory "<dag>/<run>/<task>/".
func (r *Run) Task(task string) *Task {
	t := &Task{run: r, name: task, err: r.err}
	if t.err == nil {
		if err := ValidateName(task); err != nil {
			t.err = inContext(err, "task name")
		}
	}
	return t
}

// Tasks returns the names of the tasks that stored something in this run,
// in key order.
func (r *Run) Tasks(ctx context.Context) ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	return r.b.ListDirs(ctx, r.Prefix())
}

// Files returns every object of the run, in key order.
func (r *Run) Files(ctx context.Context) ([]Object, error) {
	if r.err != nil {
		return nil, r.err
	}
	return r.b.ListAll(ctx, r.Prefix())
}

// Task addresses the directory of one task of a run, "<dag>/<run>/<task>/".
// File names given to its methods are relative to that directory, may
// contain "/" (e.g. "parts/0001.csv") and must not escape it: names with
// "..", "." or empty segments, a leading "/", backslashes or control
// characters are refused with a [*KeyError].
type Task struct {
	run  *Run
	name string
	err  error
}

// Name returns the task name.
func (t *Task) Name() string { return t.name }

// Run returns the run the task belongs to; t.Run().Task("extract") reaches
// an upstream task's outputs.
func (t *Task) Run() *Run { return t.run }

// Err returns the error that makes the task unusable, or nil.
func (t *Task) Err() error { return t.err }

// Prefix returns "<dag>/<run>/<task>/".
func (t *Task) Prefix() string { return t.run.Prefix() + t.name + "/" }

// Key returns the full bucket key of the file name in this task's directory.
func (t *Task) Key(name string) (string, error) {
	if t.err != nil {
		return "", t.err
	}
	key, err := joinKey(t.Prefix(), name)
	if err != nil {
		return "", inContext(err, "file name in "+t.Prefix())
	}
	return key, nil
}

// Files returns the task's objects in key order.
func (t *Task) Files(ctx context.Context) ([]Object, error) {
	if t.err != nil {
		return nil, t.err
	}
	return t.run.b.ListAll(ctx, t.Prefix())
}

// RelName returns key relative to the task directory ("parts/0001.csv"), and
// false when key is not inside it.
func (t *Task) RelName(key string) (string, bool) {
	return strings.CutPrefix(key, t.Prefix())
}

// NewWriter starts writing the file name; see [Bucket.NewWriter].
func (t *Task) NewWriter(ctx context.Context, name string, opts *WriteOptions) (*Writer, error) {
	key, err := t.Key(name)
	if err != nil {
		return nil, err
	}
	return t.run.b.NewWriter(ctx, key, opts)
}

// Put writes the file name from r; see [Bucket.Put].
func (t *Task) Put(ctx context.Context, name string, r io.Reader, opts *WriteOptions) (int64, error) {
	key, err := t.Key(name)
	if err != nil {
		return 0, err
	}
	return t.run.b.Put(ctx, key, r, opts)
}

// NewReader opens the file name; see [Bucket.NewReader].
func (t *Task) NewReader(ctx context.Context, name string) (*Reader, error) {
	key, err := t.Key(name)
	if err != nil {
		return nil, err
	}
	return t.run.b.NewReader(ctx, key)
}

// Delete removes the file name.
func (t *Task) Delete(ctx context.Context, name string) error {
	key, err := t.Key(name)
	if err != nil {
		return err
	}
	return t.run.b.Delete(ctx, key)
}

// PutJSON stores v as indented JSON in the file name (e.g. "params.json").
func (t *Task) PutJSON(ctx context.Context, name string, v any) error {
	key, err := t.Key(name)
	if err != nil {
		return err
	}
	return t.run.b.PutJSON(ctx, key, v)
}

// GetJSON decodes the JSON file name into v; a missing file gives [ErrNotFound].
func (t *Task) GetJSON(ctx context.Context, name string, v any) error {
	key, err := t.Key(name)
	if err != nil {
		return err
	}
	return t.run.b.GetJSON(ctx, key, v)
}

// PutJSON stores v as indented JSON at key.
func (b *Bucket) PutJSON(ctx context.Context, key string, v any) error {
	p, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("storage: encode %q: %w", key, err)
	}
	return b.WriteAll(ctx, key, append(p, '\n'), &WriteOptions{ContentType: "application/json"})
}

// GetJSON decodes the JSON object at key into v.
func (b *Bucket) GetJSON(ctx context.Context, key string, v any) error {
	p, err := b.ReadAll(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(p, v); err != nil {
		return fmt.Errorf("storage: decode %q: %w", key, err)
	}
	return nil
}

// inContext adds where a refused key was used to its reason.
func inContext(err error, where string) error {
	var ke *KeyError
	if errors.As(err, &ke) {
		return &KeyError{Key: ke.Key, Reason: ke.Reason + " (" + where + ")"}
	}
	return err
}
