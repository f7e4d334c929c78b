package webui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
)

// triggerForm is what the trigger page shows.
type triggerForm struct {
	Pipeline string
	Fields   []field
	RawConf  string // the conf as JSON, for pipelines without a form
	HasForm  bool
	RunID    string
	Error    string
}

// form returns the empty form of a pipeline, or writes 404.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) (pipelinehttp.DAG, triggerForm, bool) {
	name := r.PathValue("name")
	d, ok := h.dags[name]
	if !ok {
		h.fail(w, r, http.StatusNotFound, "no pipeline "+name)
		return d, triggerForm{}, false
	}
	fields, hasForm := formFields(d.Pipeline.ConfSchema())
	return d, triggerForm{Pipeline: name, Fields: fields, HasForm: hasForm, RawConf: "{}"}, true
}

func (h *Handler) triggerPage(w http.ResponseWriter, r *http.Request) {
	if _, f, ok := h.form(w, r); ok {
		h.render(w, r, http.StatusOK, "trigger", map[string]any{"Title": "Trigger " + f.Pipeline, "Form": f})
	}
}

// trigger validates the form and starts the run through the runs API. A
// form with errors is shown again, with them, as a page (200): browsers
// log a 4xx document as a failed load.
func (h *Handler) trigger(w http.ResponseWriter, r *http.Request) {
	_, f, ok := h.form(w, r)
	if !ok {
		return
	}
	f.RunID = strings.TrimSpace(r.PostFormValue("run_id"))
	var conf json.RawMessage
	if f.HasForm {
		values, valid := confFromForm(f.Fields, r.PostForm)
		if !valid {
			f.Error = "Some fields are not valid."
			h.render(w, r, http.StatusOK, "trigger", map[string]any{"Title": "Trigger " + f.Pipeline, "Form": f})
			return
		}
		conf, _ = json.Marshal(values)
	} else {
		f.RawConf = r.PostFormValue("conf")
		conf = json.RawMessage(f.RawConf)
	}
	id, msg := h.start(r, f.Pipeline, f.RunID, conf)
	if msg != "" {
		f.Error = msg
		h.render(w, r, http.StatusOK, "trigger", map[string]any{"Title": "Trigger " + f.Pipeline, "Form": f})
		return
	}
	http.Redirect(w, r, h.o.Prefix+"runs/"+url.PathEscape(id), http.StatusSeeOther)
}

// start triggers a run through the runs API; it returns the run id, or
// the API's error message.
func (h *Handler) start(r *http.Request, name, runID string, conf json.RawMessage) (string, string) {
	body, _ := json.Marshal(map[string]any{"run_id": runID, "conf": conf})
	if runID == "" {
		body, _ = json.Marshal(map[string]any{"conf": conf})
	}
	code, resp := h.callRuns(r.Context(), http.MethodPost, "/v1/pipelines/"+url.PathEscape(name)+"/runs", bytes.NewReader(body))
	var out struct {
		RunID string `json:"run_id"`
		Error string `json:"error"`
	}
	_ = json.Unmarshal(resp, &out)
	if code != http.StatusCreated {
		if out.Error == "" {
			out.Error = http.StatusText(code)
		}
		return "", out.Error
	}
	return out.RunID, ""
}

// retry starts a new run of a failed or cancelled run's pipeline with its
// conf; a conf whose secrets were redacted cannot be replayed.
func (h *Handler) retry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	run, _, ok := h.runOr404(w, r, id)
	switch {
	case !ok:
		return
	case run.Active():
		h.fail(w, r, http.StatusConflict, "run "+id+" has not ended")
		return
	case bytes.Contains(run.Conf, []byte(`"`+pipelinehttp.Redacted+`"`)):
		h.fail(w, r, http.StatusConflict, "run "+id+"'s conf had secrets, which are not kept: trigger it again from the form")
		return
	}
	newID, msg := h.start(r, run.Pipeline, "", run.Conf)
	if msg != "" {
		h.fail(w, r, http.StatusBadRequest, msg)
		return
	}
	http.Redirect(w, r, h.o.Prefix+"runs/"+url.PathEscape(newID), http.StatusSeeOther)
}

// cancel cancels a run executing in this process.
func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !h.o.Runs.Cancel(id) {
		h.fail(w, r, http.StatusConflict, "run "+id+" is not running in this service")
		return
	}
	http.Redirect(w, r, h.o.Prefix+"runs/"+url.PathEscape(id), http.StatusSeeOther)
}
