package pipelinehttp

import (
	"fmt"
	"slices"
	"strings"

	"github.com/datafactory/datafactory/pipeline"
)

// executor returns the executor a trigger asks for by name: Options.Executor
// when it names none, else one of Options.Executors (nil means in-process).
// Any other value, an address above all, is refused with ErrBadRequest:
// where runs execute is the operator's choice, a request only picks among
// the names the operator configured.
func (h *Handler) executor(name string) (pipeline.Executor, error) {
	if name == "" {
		return h.o.Executor, nil
	}
	if ex, ok := h.o.Executors[name]; ok {
		return ex, nil
	}
	names := make([]string, 0, len(h.o.Executors))
	for n := range h.o.Executors {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: executor: this service offers no choice of executor", ErrBadRequest)
	}
	return nil, fmt.Errorf("%w: executor: unknown executor (want one of %s)", ErrBadRequest, strings.Join(names, ", "))
}
