package pipelinehttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/datafactory/datafactory/pipeline"
)

// MaxTriggerBody is the largest trigger body, in bytes.
const MaxTriggerBody = 1 << 20

// ErrBadRequest is matched by the errors of [DecodeTrigger].
var ErrBadRequest = errors.New("bad request")

// ErrTooLarge is matched by [DecodeTrigger]'s error for a body over
// [MaxTriggerBody]; it also matches ErrBadRequest.
var ErrTooLarge = fmt.Errorf("%w: the body is over %d bytes", ErrBadRequest, MaxTriggerBody)

// Trigger is a decoded request to start a run. It accepts Airflow's
// dagRuns body (dag_run_id, conf, logical_date or execution_date) and the
// native one (run_id instead of dag_run_id).
type Trigger struct {
	// RunID is the run's id; empty means the handler picks one.
	RunID string
	// Conf is a JSON object, "{}" when the request had none (or null).
	Conf json.RawMessage
	// LogicalDate is the run's logical date; zero means now.
	LogicalDate time.Time
	// Executor names one of the executors the operator configured
	// ([Options].Executors); empty means the default.
	Executor string
}

// triggerBody is the JSON of a trigger request.
type triggerBody struct {
	DagRunID    *string         `json:"dag_run_id"`
	RunID       *string         `json:"run_id"`
	Conf        json.RawMessage `json:"conf"`
	LogicalDate *time.Time      `json:"logical_date"`
	Execution   *time.Time      `json:"execution_date"`
	Executor    *string         `json:"executor"`
}

// DecodeTrigger reads a trigger request body: exactly one JSON object, at
// most [MaxTriggerBody] bytes, whose conf (if any) is an object and whose
// run id (if any) passes [ValidateRunID]. Its errors match [ErrBadRequest]
// and name the problem.
func DecodeTrigger(r io.Reader) (Trigger, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTriggerBody+1))
	if err != nil {
		return Trigger{}, err
	}
	if len(data) > MaxTriggerBody {
		return Trigger{}, ErrTooLarge
	}
	if first := firstByte(data); first != '{' {
		return Trigger{}, fmt.Errorf("%w: the body must be a JSON object", ErrBadRequest)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var b triggerBody
	if err := dec.Decode(&b); err != nil {
		return Trigger{}, fmt.Errorf("%w: the body is not valid JSON: %v", ErrBadRequest, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Trigger{}, fmt.Errorf("%w: the body has data after its JSON object", ErrBadRequest)
	}
	return b.trigger()
}

// trigger checks a decoded body.
func (b *triggerBody) trigger() (Trigger, error) {
	t := Trigger{Conf: b.Conf}
	if b.Executor != nil {
		if *b.Executor == "" || pipeline.ValidateName(*b.Executor) != nil {
			return Trigger{}, fmt.Errorf("%w: executor: want the name of an executor this service offers", ErrBadRequest)
		}
		t.Executor = *b.Executor
	}
	if b.DagRunID != nil && b.RunID != nil && *b.DagRunID != *b.RunID {
		return Trigger{}, fmt.Errorf("%w: dag_run_id and run_id differ", ErrBadRequest)
	}
	for _, id := range []*string{b.DagRunID, b.RunID} {
		if id == nil {
			continue
		}
		if err := ValidateRunID(*id); err != nil {
			return Trigger{}, fmt.Errorf("%w: dag_run_id: %w", ErrBadRequest, err)
		}
		t.RunID = *id
	}
	switch first := firstByte(t.Conf); {
	case len(t.Conf) == 0 || string(bytes.TrimSpace(t.Conf)) == "null":
		t.Conf = json.RawMessage("{}")
	case first != '{':
		return Trigger{}, fmt.Errorf("%w: conf must be a JSON object", ErrBadRequest)
	}
	switch {
	case b.LogicalDate != nil:
		t.LogicalDate = b.LogicalDate.UTC()
	case b.Execution != nil:
		t.LogicalDate = b.Execution.UTC()
	}
	return t, nil
}

// firstByte returns the first non-space byte of data, or 0.
func firstByte(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}
