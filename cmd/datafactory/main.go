// Command datafactory is the datafactory command-line tool: it loads CSV files
// and Frictionless resources into SQL databases, validates and infers Table
// Schemas, backs tables up to Avro and restores them, shows run status, runs
// pipelines and serves the HTTP API. See package cli for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
