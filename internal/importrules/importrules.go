// Package importrules checks the module's dependency rules (DESIGN.md:
// "Dependencies point downward only") against the package graph that
// `go list -deps -json ./...` prints. Its test runs the check on the
// module itself, so a change that breaks a rule fails CI with the import
// chain that breaks it.
//
// The rules, over the packages themselves (not their tests):
//
//   - nothing outside cmd/ imports cmd/;
//   - nothing under datastore/ imports pipeline, avrobak or ckan/aircan;
//   - frictionless imports nothing else of the module;
//   - pipeline (the core, not its subpackages) links no SQL driver;
//   - adapters (a package named …http, service/ and what is below it, a
//     package named ui) are imported only by other adapters, cmd/ and
//     examples/: never by what they serve (status never imports
//     status/statushttp).
//
// Each rule holds transitively: a violation is reported once per package
// and forbidden import, with the shortest chain that reaches it.
package importrules

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// Package is what the check reads of one `go list -json` record.
type Package struct {
	ImportPath string
	Imports    []string
	Module     *Module
}

// Module is the module of a package.
type Module struct {
	Path string
	Main bool
}

// Violation is one broken rule: Chain runs from the package that the rule
// constrains to the import it forbids.
type Violation struct {
	Rule  string
	Chain []string
}

// String returns "rule: a -> b -> c".
func (v Violation) String() string { return v.Rule + ": " + strings.Join(v.Chain, " -> ") }

// Decode reads the stream of JSON objects `go list -json` prints.
func Decode(r io.Reader) ([]Package, error) {
	var pkgs []Package
	dec := json.NewDecoder(r)
	for {
		var p Package
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

// Check returns every violation in the graph, sorted. The module is the
// one whose packages are marked Main.
func Check(pkgs []Package) []Violation {
	g := newGraph(pkgs)
	var out []Violation
	for _, p := range g.own {
		for _, r := range rules {
			if !r.from(g.rel(p)) {
				continue
			}
			for _, chain := range g.reach(p, func(dep string) bool { return r.to(g.node(dep)) }) {
				out = append(out, Violation{Rule: r.name, Chain: g.short(chain)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// node is an import as the rules see it.
type node struct {
	path string // full import path
	rel  string // path inside the module, "" for the module's root package
	own  bool   // in the module
}

// graph is the package graph of one `go list -deps` run.
type graph struct {
	module  string
	imports map[string][]string
	own     []string
}

func newGraph(pkgs []Package) *graph {
	g := &graph{imports: map[string][]string{}}
	for _, p := range pkgs {
		g.imports[p.ImportPath] = p.Imports
		if p.Module != nil && p.Module.Main {
			g.module = p.Module.Path
			g.own = append(g.own, p.ImportPath)
		}
	}
	sort.Strings(g.own)
	return g
}

func (g *graph) node(p string) node {
	switch {
	case p == g.module:
		return node{path: p, own: true}
	case strings.HasPrefix(p, g.module+"/"):
		return node{path: p, rel: strings.TrimPrefix(p, g.module+"/"), own: true}
	}
	return node{path: p}
}

func (g *graph) rel(p string) string { return g.node(p).rel }

// short names the module's packages by their path inside it.
func (g *graph) short(chain []string) []string {
	out := make([]string, len(chain))
	for i, p := range chain {
		out[i] = p
		if n := g.node(p); n.own && n.rel != "" {
			out[i] = n.rel
		}
	}
	return out
}

// reach walks the imports from start breadth-first and returns the
// shortest chain to each forbidden package it meets, without walking
// through one (what a forbidden package imports is its own business).
func (g *graph) reach(start string, forbidden func(string) bool) [][]string {
	parent := map[string]string{start: ""}
	queue := []string{start}
	var chains [][]string
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, dep := range g.imports[cur] {
			if _, seen := parent[dep]; seen {
				continue
			}
			parent[dep] = cur
			if forbidden(dep) {
				chains = append(chains, chainTo(parent, dep))
				continue
			}
			queue = append(queue, dep)
		}
	}
	return chains
}

func chainTo(parent map[string]string, end string) []string {
	var chain []string
	for p := end; p != ""; p = parent[p] {
		chain = append([]string{p}, chain...)
	}
	return chain
}

// rule is one dependency rule: the packages it constrains (by their path
// inside the module) and the imports it forbids them.
type rule struct {
	name string
	from func(rel string) bool
	to   func(dep node) bool
}

// under reports whether rel is dir or below it.
func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }

// sqlDrivers are the import-path prefixes of database/sql drivers.
var sqlDrivers = []string{
	"github.com/jackc/pgx", "github.com/lib/pq", "github.com/go-sql-driver/mysql",
	"modernc.org/sqlite", "github.com/mattn/go-sqlite3", "github.com/glebarez/sqlite",
	"github.com/glebarez/go-sqlite", "github.com/ncruces/go-sqlite3",
	"github.com/microsoft/go-mssqldb", "github.com/denisenkom/go-mssqldb",
	"github.com/sijms/go-ora", "github.com/ClickHouse/clickhouse-go",
}

func isSQLDriver(p string) bool {
	for _, d := range sqlDrivers {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// isAdapter reports whether a package of the module serves others over
// HTTP or as a service.
func isAdapter(rel string) bool {
	base := path.Base(rel)
	return strings.HasSuffix(base, "http") || under(rel, "service") || base == "ui"
}

var rules = []rule{
	{
		name: "nothing outside cmd/ imports cmd/",
		from: func(rel string) bool { return !under(rel, "cmd") },
		to:   func(d node) bool { return d.own && under(d.rel, "cmd") },
	},
	{
		name: "datastore/ never imports pipeline, avrobak or ckan/aircan",
		from: func(rel string) bool { return under(rel, "datastore") },
		to: func(d node) bool {
			return d.own && (under(d.rel, "pipeline") || under(d.rel, "avrobak") || under(d.rel, "ckan/aircan"))
		},
	},
	{
		name: "frictionless imports nothing else of the module",
		from: func(rel string) bool { return under(rel, "frictionless") },
		to:   func(d node) bool { return d.own && !under(d.rel, "frictionless") },
	},
	{
		name: "pipeline (the core) links no SQL driver",
		from: func(rel string) bool { return rel == "pipeline" },
		to:   func(d node) bool { return isSQLDriver(d.path) },
	},
	{
		name: "adapters are imported only by adapters, cmd/ and examples/",
		from: func(rel string) bool { return !isAdapter(rel) && !under(rel, "cmd") && !under(rel, "examples") },
		to:   func(d node) bool { return d.own && isAdapter(d.rel) },
	},
}
