package testutil

import "github.com/datafactory/datafactory/frictionless"

// EmployeesSchema is the all-required Table Schema of the data-architecture
// employees file (datastore/testdata/employees.csv, no header row): 1,999
// rows of which 1,929 are valid and 70 miss a required value.
func EmployeesSchema() *frictionless.Schema {
	req := frictionless.Constraints{Required: true}
	return &frictionless.Schema{
		Fields: []frictionless.Field{
			{Name: "employee_id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "employee_name", Type: frictionless.TypeString, Constraints: req},
			{Name: "hiring_date", Type: frictionless.TypeDateTime, Constraints: req},
			{Name: "department_id", Type: frictionless.TypeInteger, Constraints: req},
			{Name: "job_id", Type: frictionless.TypeInteger, Constraints: req},
		},
		PrimaryKey: []string{"employee_id"},
	}
}
