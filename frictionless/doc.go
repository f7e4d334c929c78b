// Package frictionless implements the Frictionless Data specifications
// datafactory needs: Table Schema, CSV Dialect, Data Resource and Data
// Package descriptors, a streaming typed CSV row reader that validates
// every row, schema inference, and a CSV writer.
package frictionless
