package frictionless_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/datafactory/datafactory/frictionless"
)

func ExampleLoadPackage() {
	p, err := frictionless.LoadPackage(context.Background(), "testdata/datapackage.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, "-", p.Title)
	for _, r := range p.Resources {
		if r.Schema != nil {
			fmt.Printf("%s: %s %v\n", r.Name, r.Path, r.Schema.FieldNames())
		} else {
			fmt.Printf("%s: %s, schema in %s\n", r.Name, r.Path, r.SchemaPath)
		}
	}
	fmt.Println("unknown properties kept:", string(p.Extra["x-custom"]))
	// Output:
	// hiring - 2021 hiring data
	// departments: departments.csv [department_id department_name]
	// jobs: jobs.csv [job_id job_name]
	// employees: employees.csv, schema in employees.schema.json
	// unknown properties kept: {"keep": [1, 2.50, "three"]}
}

func ExampleReadPackage_invalid() {
	_, err := frictionless.ReadPackage(strings.NewReader(`{"resources": [
		{"name": "a", "path": "a.csv"},
		{"name": "b", "path": "b.csv"},
		{"name": "c", "path": "c.csv", "schema": {"fields": [{"name": "id", "type": "integr"}]}}]}`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, frictionless.ErrInvalidDescriptor))
	// Output:
	// resources[2].schema.fields[0].type: unknown type "integr"
	// true
}

func ExampleNewReader() {
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger, Constraints: frictionless.Constraints{Required: true}},
		{Name: "name"},
		{Name: "hired", Type: frictionless.TypeDateTime},
	}}
	csv := "name,id,hired\r\n" +
		"Harold Vogt,1,2021-11-07T02:48:42Z\r\n" +
		"Ty Hofer,,2021-05-30T05:43:46Z\r\n" +
		"Lyman Hadye,3,2021-09-01\r\n"
	rd, err := frictionless.NewReader(strings.NewReader(csv), schema, nil)
	if err != nil {
		log.Fatal(err)
	}
	for {
		row, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rowErr *frictionless.RowError
		if errors.As(err, &rowErr) {
			fmt.Println("rejected:", rowErr)
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(row[0].(int64), row[1].(string), row[2].(time.Time).Format(time.DateOnly))
	}
	fmt.Printf("%+v\n", rd.Stats())
	// Output:
	// 1 Harold Vogt 2021-11-07
	// rejected: row 2 (line 3): field "id": value is required
	// rejected: row 3 (line 4): field "hired": cannot cast "2021-09-01" to datetime
	// {Rows:3 Valid:1 Invalid:2 Bytes:109}
}

func ExampleResource_Open() {
	p, err := frictionless.LoadPackage(context.Background(), "testdata/datapackage.json")
	if err != nil {
		log.Fatal(err)
	}
	rd, err := p.Resource("employees").Open(context.Background(), &frictionless.ReadOptions{ReuseRow: true})
	if err != nil {
		log.Fatal(err)
	}
	defer rd.Close()
	emptyFields := map[string]int{}
	for {
		_, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rowErr *frictionless.RowError
		if errors.As(err, &rowErr) {
			emptyFields[rowErr.Field]++
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	st := rd.Stats()
	fmt.Println("rows", st.Rows, "valid", st.Valid, "invalid", st.Invalid)
	fmt.Println(emptyFields)
	// Output:
	// rows 1999 valid 1929 invalid 70
	// map[department_id:21 employee_name:19 hiring_date:14 job_id:16]
}

func ExampleInfer() {
	csv := "code,amount,paid,when\n007,10,true,2021-02-01\n012,11,false,2021-02-02\n100,3.5,true,2021-02-03\n"
	schema, err := frictionless.Infer(strings.NewReader(csv), &frictionless.InferOptions{
		Types: map[string]frictionless.FieldType{"when": frictionless.TypeString},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := schema.Write(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {
	//   "fields": [
	//     {
	//       "name": "code",
	//       "type": "string"
	//     },
	//     {
	//       "name": "amount",
	//       "type": "number"
	//     },
	//     {
	//       "name": "paid",
	//       "type": "boolean"
	//     },
	//     {
	//       "name": "when",
	//       "type": "string"
	//     }
	//   ]
	// }
}

func ExampleNewWriter() {
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "id", Type: frictionless.TypeInteger},
		{Name: "price", Type: frictionless.TypeNumber, Precision: 8, Scale: 2},
		{Name: "day", Type: frictionless.TypeDate},
	}}
	price, err := frictionless.ParseDecimal("19.90")
	if err != nil {
		log.Fatal(err)
	}
	w := frictionless.NewWriter(os.Stdout, schema, &frictionless.WriteOptions{Dialect: &frictionless.Dialect{LineTerminator: "\n"}})
	if err := w.WriteHeader(); err != nil {
		log.Fatal(err)
	}
	if err := w.Write(frictionless.Row{int64(1), price, time.Date(2021, 2, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		log.Fatal(err)
	}
	if err := w.Write(frictionless.Row{int64(2), nil, nil}); err != nil {
		log.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// id,price,day
	// 1,19.90,2021-02-01
	// 2,,
}

func ExampleParseDecimal() {
	d, err := frictionless.ParseDecimal("-1.25e2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d, d.Scale(), d.Rat())
	// Output: -125 0 -125/1
}
