package ckanstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrOtherDataset is returned, before anything is written, when a table
// name that [StoreOptions].Resources does not map resolves to a resource of
// another dataset than StoreOptions.PackageID. DataStore aliases (and
// resource ids) are site-global: without this check a table name that
// happens to be another dataset's alias would write into, or on replace
// delete, that dataset's resource.
var ErrOtherDataset = errors.New("ckanstore: the table belongs to another dataset")

// owners remembers which resources are known to be in the store's
// dataset, so each is checked once per store.
type owners struct {
	mu    sync.Mutex
	pkgID string          // PackageID as an id, once package_show told it
	ok    map[string]bool // resource id → in the dataset
}

// checkOwner refuses a resolved table whose resource is not in
// PackageID's dataset. Mapped tables were chosen by the caller and are not
// checked; without PackageID there is no dataset to stay in.
func (d *ckanDriver) checkOwner(ctx context.Context, table, resourceID string) error {
	if _, mapped := d.opts.Resources[table]; mapped || d.opts.PackageID == "" {
		return nil
	}
	d.own.mu.Lock()
	known := d.own.ok[resourceID]
	d.own.mu.Unlock()
	if known {
		return nil
	}
	res, err := d.c.ResourceShow(ctx, resourceID)
	if err != nil {
		return err
	}
	pkgID, err := d.packageID(ctx, res.PackageID)
	if err != nil {
		return err
	}
	if res.PackageID != pkgID {
		return fmt.Errorf("table %q is resource %s of dataset %s, not of %s: %w",
			table, resourceID, res.PackageID, d.opts.PackageID, ErrOtherDataset)
	}
	d.own.mu.Lock()
	if d.own.ok == nil {
		d.own.ok = map[string]bool{}
	}
	d.own.ok[resourceID] = true
	d.own.mu.Unlock()
	return nil
}

// packageID returns PackageID as a dataset id. It is taken as an id when
// it equals seen (a resource's package_id); a dataset name is looked up
// once with package_show.
func (d *ckanDriver) packageID(ctx context.Context, seen string) (string, error) {
	if seen == d.opts.PackageID {
		return seen, nil
	}
	d.own.mu.Lock()
	id := d.own.pkgID
	d.own.mu.Unlock()
	if id != "" {
		return id, nil
	}
	pkg, err := d.c.PackageShow(ctx, d.opts.PackageID)
	if err != nil {
		return "", fmt.Errorf("ckanstore: dataset %q: %w", d.opts.PackageID, err)
	}
	d.own.mu.Lock()
	d.own.pkgID = pkg.ID
	d.own.mu.Unlock()
	return pkg.ID, nil
}
