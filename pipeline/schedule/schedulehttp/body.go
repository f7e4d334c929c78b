package schedulehttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// maxBody is the largest request body accepted.
const maxBody = 1 << 20

var (
	errBadRequest = errors.New("bad request")
	errNotFound   = errors.New("not found")
)

// The bodies' schemas: unknown fields are refused. Each is compiled on
// first use, not when the package is initialised: compiling one (with the
// draft's meta-schema) took about 10 ms, paid by every process that links
// this package, the CLI's `load` included.
var (
	stateSchema = lazySchema("state.json", `{"type":"object","additionalProperties":false,"required":["state"],
		"properties":{"state":{"enum":["ACTIVE","INACTIVE"]},"reason":{"type":"string","maxLength":500}}}`)
	confSchema = lazySchema("conf.json", `{"type":"object","additionalProperties":false,
		"properties":{"conf":{"type":"object"}}}`)
	triggerSchema = lazySchema("trigger.json", triggerSchemaDoc)
)

// triggerSchemaDoc is a trigger spec's schema (schedule.TriggerSpec): each
// kind requires its own fields; names are pipeline/trigger names.
const triggerSchemaDoc = `{"type":"object","additionalProperties":false,"required":["kind"],
	"$defs":{"name":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"},
		"names":{"type":"array","items":{"$ref":"#/$defs/name"},"maxItems":100,"uniqueItems":true}},
	"properties":{
		"kind":{"enum":["cron","event","completion","super"]},
		"targets":{"$ref":"#/$defs/names"},
		"cron":{"type":"string","minLength":1,"maxLength":200},
		"start":{"type":"string","format":"date-time"},
		"end":{"type":"string","format":"date-time"},
		"catchup":{"type":"boolean"},
		"event":{"$ref":"#/$defs/name"},
		"pipeline":{"$ref":"#/$defs/name"},
		"mode":{"enum":["ALL","ANY"]},
		"triggers":{"allOf":[{"$ref":"#/$defs/names"},{"minItems":1}]},
		"state":{"enum":["ACTIVE","INACTIVE"]}},
	"allOf":[
		{"if":{"properties":{"kind":{"const":"cron"}}},"then":{"required":["cron","targets"]}},
		{"if":{"properties":{"kind":{"const":"event"}}},"then":{"required":["event"]}},
		{"if":{"properties":{"kind":{"const":"completion"}}},"then":{"required":["pipeline"]}},
		{"if":{"properties":{"kind":{"const":"super"}}},"then":{"required":["triggers"]}}]}`

// lazySchema returns a function that compiles doc once, on its first call.
func lazySchema(url, doc string) func() *jsonschema.Schema {
	return sync.OnceValue(func() *jsonschema.Schema { return mustCompile(url, doc) })
}

func mustCompile(url, doc string) *jsonschema.Schema {
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		panic(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, v); err != nil {
		panic(err)
	}
	return c.MustCompile(url)
}

// decode reads a body of at most maxBody bytes (an empty body is {}),
// validates it against schema and decodes it into v. Its errors match
// errBadRequest and name the field.
func decode(w http.ResponseWriter, r *http.Request, schema func() *jsonschema.Schema, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%w: body: %w", errBadRequest, err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: body is not JSON: %w", errBadRequest, err)
	}
	if err := schema().Validate(doc); err != nil {
		return fmt.Errorf("%w: %s", errBadRequest, describe(err))
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: body: %w", errBadRequest, err)
	}
	return nil
}

// describe names the field of a validation error's deepest cause and
// what is wrong with it, e.g. "/state: value must be one of ...".
func describe(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	loc := append([]string(nil), ve.InstanceLocation...)
	if r, ok := ve.ErrorKind.(*kind.Required); ok && len(r.Missing) > 0 {
		loc = append(loc, r.Missing[0])
	}
	if a, ok := ve.ErrorKind.(*kind.AdditionalProperties); ok && len(a.Properties) > 0 {
		loc = append(loc, a.Properties[0])
	}
	return "/" + strings.Join(loc, "/") + ": " + ve.ErrorKind.LocalizedString(message.NewPrinter(language.English))
}
