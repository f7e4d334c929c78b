package frictionless

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Package is a Data Package descriptor (datapackage.json).
type Package struct {
	Name        string
	ID          string
	Title       string
	Description string
	Version     string
	Homepage    string
	Resources   []Resource
	// Extra keeps unknown properties (licenses, sources, …); they are
	// written back unchanged.
	Extra map[string]json.RawMessage
}

// Resource returns the resource called name, or nil.
func (p *Package) Resource(name string) *Resource {
	for i := range p.Resources {
		if p.Resources[i].Name == name {
			return &p.Resources[i]
		}
	}
	return nil
}

// UnmarshalJSON decodes a package descriptor; unknown properties go to
// Extra. It checks syntax and types only; ReadPackage also validates.
func (p *Package) UnmarshalJSON(data []byte) error {
	v, err := decodePackage(data)
	if err != nil {
		return err
	}
	*p = *v
	return nil
}

func decodePackage(data []byte) (*Package, error) {
	o, err := parseObject(data, "")
	if err != nil {
		return nil, err
	}
	p := &Package{}
	for _, step := range []error{
		o.str("name", &p.Name), o.str("id", &p.ID), o.str("title", &p.Title),
		o.str("description", &p.Description), o.str("version", &p.Version), o.str("homepage", &p.Homepage),
	} {
		if step != nil {
			return nil, step
		}
	}
	list, ok, err := o.array("resources")
	if err != nil {
		return nil, err
	}
	if ok {
		p.Resources = make([]Resource, len(list))
		for i, raw := range list {
			r, err := decodeResource(raw, indexPath("resources", i))
			if err != nil {
				return nil, err
			}
			p.Resources[i] = *r
		}
	}
	p.Extra = o.rest()
	return p, nil
}

// MarshalJSON encodes the package, unknown properties included.
func (p Package) MarshalJSON() ([]byte, error) {
	w := newObjWriter()
	w.str("name", p.Name)
	w.str("id", p.ID)
	w.str("title", p.Title)
	w.str("description", p.Description)
	w.str("version", p.Version)
	w.str("homepage", p.Homepage)
	res := p.Resources
	if res == nil {
		res = []Resource{}
	}
	w.value("resources", res)
	w.extra(p.Extra)
	return w.bytes()
}

// Validate checks every resource: names present and unique, a path or
// data, valid schemas and dialects. The error is a *DescriptorError such
// as `resources[2].schema.fields[0].type: unknown type "integr"`.
func (p *Package) Validate() error {
	if len(p.Resources) == 0 {
		return descErr("resources", "must list at least one resource")
	}
	seen := map[string]int{}
	for i := range p.Resources {
		path := indexPath("resources", i)
		if err := p.Resources[i].validate(path); err != nil {
			return err
		}
		if j, dup := seen[p.Resources[i].Name]; dup {
			return descErr(joinPath(path, "name"), "%q repeats resources[%d]", p.Resources[i].Name, j)
		}
		seen[p.Resources[i].Name] = i
	}
	return nil
}

// ReadPackage reads and validates a Data Package descriptor.
func ReadPackage(r io.Reader) (*Package, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("frictionless: read package: %w", err)
	}
	p, err := decodePackage(data)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// LoadPackage reads a datapackage.json from a local path or an http(s)
// URL; each resource's BasePath is set to the descriptor's folder.
func LoadPackage(ctx context.Context, pathOrURL string) (*Package, error) {
	rc, err := openLocation(ctx, nil, pathOrURL)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	p, err := ReadPackage(rc)
	if err != nil {
		return nil, err
	}
	base := baseOf(pathOrURL)
	for i := range p.Resources {
		p.Resources[i].BasePath = base
	}
	return p, nil
}

// Write writes the descriptor as indented JSON.
func (p *Package) Write(w io.Writer) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("frictionless: encode package: %w", err)
	}
	if _, err := w.Write(indentJSON(b)); err != nil {
		return fmt.Errorf("frictionless: write package: %w", err)
	}
	return nil
}
