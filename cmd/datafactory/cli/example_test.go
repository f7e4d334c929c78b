package cli_test

import (
	"context"
	"os"

	"github.com/datafactory/datafactory/cmd/datafactory/cli"
)

// The tool runs in-process: here "datafactory infer" on a small CSV file.
func ExampleRun() {
	code := cli.Run(context.Background(), []string{"infer", "--type", "age=number", "testdata/people_valid.csv"},
		os.Stdin, os.Stdout, os.Stderr)
	if code != cli.ExitOK {
		os.Exit(code)
	}
	// Output:
	// {
	//   "fields": [
	//     {
	//       "name": "id",
	//       "type": "integer"
	//     },
	//     {
	//       "name": "name",
	//       "type": "string"
	//     },
	//     {
	//       "name": "age",
	//       "type": "number"
	//     }
	//   ]
	// }
}

// Main carries the environment explicitly, so tests and programs choose
// what the tool sees: here the validation report of a file with two bad rows.
func ExampleMain_Run() {
	m := &cli.Main{Stdout: os.Stdout, Getenv: func(string) string { return "" }}
	code := m.Run(context.Background(), []string{"validate", "testdata/people.csv", "--schema", "testdata/people.schema.json"})
	_ = code // cli.ExitRefused: the file is invalid
	// Output:
	// people: row 3 (line 4): field "name": value is required
	// people: row 4 (line 5): field "age": cannot cast "abc" to integer
	// people: INVALID: 5 rows, 3 valid, 2 invalid
}
