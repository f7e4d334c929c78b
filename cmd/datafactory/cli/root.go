package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/datastore"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes.
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitRefused: the data was refused (too many rejects, an invalid file,
	// a failed run).
	ExitRefused = 1
	// ExitError: any other failure, including usage errors.
	ExitError = 2
)

// refusedError marks a failure that exits with ExitRefused.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// refused wraps err so that the command exits with ExitRefused.
func refused(err error) error { return &refusedError{err: err} }

// Main is one invocation environment of the tool: its standard streams,
// its environment and whether stderr is a terminal. The zero value reads
// nothing from stdin, discards output and sees an empty environment.
type Main struct {
	// Stdin is the standard input. Default: empty.
	Stdin io.Reader
	// Stdout and Stderr receive output. Default: discarded.
	Stdout, Stderr io.Writer
	// Getenv reads the environment. Default: an empty environment.
	Getenv func(string) string
	// Listening, when set, is called by serve with the address it listens
	// on, once it accepts requests. Default none.
	Listening func(addr string)
	// Terminal says stderr is a terminal: progress is drawn as a bar
	// instead of plain lines. Default false.
	Terminal bool

	connFile string          // --connections
	conns    *connection.Set // the operator's connections, once read
	// loaded hears of every load a task makes (serve: its metrics).
	loaded func(*datastore.LoadReport)
}

// Run runs the tool with args (without the program name) on the process's
// environment and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	m := &Main{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	if f, ok := stderr.(*os.File); ok {
		m.Terminal = term.IsTerminal(int(f.Fd()))
	}
	return m.Run(ctx, args)
}

// Run runs the tool with args and returns the exit code. Errors are printed
// to Stderr as "datafactory: <message>".
func (m *Main) Run(ctx context.Context, args []string) int {
	m.defaults()
	root := m.newRoot()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(m.Stderr, "datafactory: %v\n", err)
	var r *refusedError
	if errors.As(err, &r) {
		return ExitRefused
	}
	return ExitError
}

func (m *Main) defaults() {
	if m.Stdin == nil {
		m.Stdin = eofReader{}
	}
	if m.Stdout == nil {
		m.Stdout = io.Discard
	}
	if m.Stderr == nil {
		m.Stderr = io.Discard
	}
	if m.Getenv == nil {
		m.Getenv = func(string) string { return "" }
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// newRoot builds the command tree.
func (m *Main) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "datafactory",
		Short:         "Load, validate, back up and orchestrate tabular data",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	root.PersistentFlags().StringVar(&m.connFile, "connections", "",
		"JSON file of the operator's named connections (default $"+EnvConnections+")")
	root.AddCommand(
		m.loadCmd(), m.validateCmd(), m.inferCmd(),
		m.backupCmd(), m.restoreCmd(),
		m.statusCmd(), m.jobsCmd(),
		m.runCmd(), m.taskCmd(), m.tasksCmd(), m.workerCmd(),
		m.serveCmd(),
	)
	root.AddCommand(m.scheduleCmds()...)
	return root
}
