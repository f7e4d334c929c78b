package storage

import (
	"context"
	"fmt"
	"io"

	"github.com/datafactory/datafactory/frictionless"
)

// File names of the Frictionless descriptors in a task directory, as
// AirCan stores them.
const (
	// ResourceFile holds a Data Resource descriptor.
	ResourceFile = "resource.json"
	// DatasetFile holds a Data Package descriptor.
	DatasetFile = "dataset.json"
)

// PutResource stores res as the task's resource.json (Frictionless Data
// Resource, indented JSON; unknown properties kept). Relative paths in res
// are meant relative to the task directory.
func (t *Task) PutResource(ctx context.Context, res *frictionless.Resource) error {
	return t.putDescriptor(ctx, ResourceFile, res.Write)
}

// GetResource reads and validates the task's resource.json; a missing file
// gives [ErrNotFound], an invalid one a *frictionless.DescriptorError.
func (t *Task) GetResource(ctx context.Context) (*frictionless.Resource, error) {
	r, err := t.NewReader(ctx, ResourceFile)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res, err := frictionless.ReadResource(r)
	if err != nil {
		return nil, fmt.Errorf("storage: decode %s%s: %w", t.Prefix(), ResourceFile, err)
	}
	return res, nil
}

// PutDataset stores pkg as the task's dataset.json (Frictionless Data
// Package).
func (t *Task) PutDataset(ctx context.Context, pkg *frictionless.Package) error {
	return t.putDescriptor(ctx, DatasetFile, pkg.Write)
}

// GetDataset reads and validates the task's dataset.json.
func (t *Task) GetDataset(ctx context.Context) (*frictionless.Package, error) {
	r, err := t.NewReader(ctx, DatasetFile)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	pkg, err := frictionless.ReadPackage(r)
	if err != nil {
		return nil, fmt.Errorf("storage: decode %s%s: %w", t.Prefix(), DatasetFile, err)
	}
	return pkg, nil
}

// putDescriptor streams a descriptor into name; a failed encoding aborts
// the write, so no half-written descriptor is ever visible.
func (t *Task) putDescriptor(ctx context.Context, name string, write func(io.Writer) error) error {
	w, err := t.NewWriter(ctx, name, &WriteOptions{ContentType: "application/json"})
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		_ = w.Abort()
		return fmt.Errorf("storage: encode %s%s: %w", t.Prefix(), name, err)
	}
	return w.Close()
}
