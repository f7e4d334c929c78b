package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/datafactory/datafactory/pipeline"
	"github.com/spf13/cobra"
)

// scheduleClient calls the scheduler API of a running serve.
type scheduleClient struct {
	m      *Main
	server string
}

// call sends a request to the scheduler API and prints the JSON answer; a
// non-2xx answer is an error carrying the server's message.
func (c *scheduleClient) call(cmd *cobra.Command, method, path string, body any) error {
	u, err := url.Parse(c.server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--server %q: want an http(s) URL", c.server)
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(cmd.Context(), method, strings.TrimSuffix(u.String(), "/")+"/v1/schedule/"+path, rd)
	if err != nil {
		return err
	}
	if t := c.m.Getenv(EnvToken); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(out, &e)
		return refused(fmt.Errorf("%s: %s", resp.Status, e.Message))
	}
	_, err = c.m.Stdout.Write(out)
	return err
}

// scheduleCmds are the triggers, events and pipelines commands.
func (m *Main) scheduleCmds() []*cobra.Command {
	c := &scheduleClient{m: m}
	group := func(use, short string, subs ...*cobra.Command) *cobra.Command {
		g := &cobra.Command{Use: use, Short: short}
		g.PersistentFlags().StringVar(&c.server, "server", "http://127.0.0.1:8080", "URL of a running datafactory serve (token from $"+EnvToken+")")
		g.AddCommand(subs...)
		return g
	}
	get := func(use, short, kind string, args int) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(args), RunE: func(cmd *cobra.Command, a []string) error {
			return c.call(cmd, "GET", strings.Join(append([]string{kind}, escape(a)...), "/"), nil)
		}}
	}
	state := func(kind string, st string) *cobra.Command {
		var reason string
		use := "activate NAME"
		if st == "INACTIVE" {
			use = "deactivate NAME"
		}
		cmd := &cobra.Command{Use: use, Short: "Set the " + kind + " " + st,
			Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, a []string) error {
				return c.call(cmd, "PUT", kind+"s/"+url.PathEscape(a[0])+"/state", map[string]string{"state": st, "reason": reason})
			}}
		cmd.Flags().StringVar(&reason, "reason", "", "why (kept with the state)")
		return cmd
	}
	withConf := func(use, short, path string) *cobra.Command {
		var conf string
		cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, a []string) error {
			body := map[string]json.RawMessage{}
			if conf != "" {
				body["conf"] = json.RawMessage(conf)
			}
			return c.call(cmd, "POST", fmt.Sprintf(path, url.PathEscape(a[0])), body)
		}}
		cmd.Flags().StringVar(&conf, "conf", "", "run conf (a JSON object)")
		return cmd
	}
	return []*cobra.Command{
		group("pipelines", "List, show, activate or deactivate the served pipelines, or run one manually",
			get("list", "List the pipelines and their states", "pipelines", 0),
			get("show NAME", "Show a pipeline's state", "pipelines", 1),
			state("pipeline", "ACTIVE"), state("pipeline", "INACTIVE"),
			withConf("run NAME", "Run a pipeline manually (refused when inactive or at its concurrency)", "pipelines/%s/manual-runs")),
		group("triggers", "List, show, put from a spec, delete, activate or deactivate the scheduler's triggers",
			get("list", "List the triggers and their states", "triggers", 0),
			get("show ID", "Show a trigger's state", "triggers", 1),
			&cobra.Command{Use: "stats ID", Short: "Element counts and bytes per state of a files trigger", Args: cobra.ExactArgs(1),
				RunE: func(cmd *cobra.Command, a []string) error {
					return c.call(cmd, "GET", "triggers/"+url.PathEscape(a[0])+"/element-stats", nil)
				}},
			state("trigger", "ACTIVE"), state("trigger", "INACTIVE"),
			c.putTriggerCmd(),
			&cobra.Command{Use: "delete ID", Short: "Delete a trigger put from a spec", Args: cobra.ExactArgs(1),
				RunE: func(cmd *cobra.Command, a []string) error {
					return c.call(cmd, "DELETE", "triggers/"+url.PathEscape(a[0]), nil)
				}}),
		group("events", "Fire, show, activate or deactivate events",
			get("show NAME", "Show an event's state", "events", 1),
			withConf("fire NAME", "Fire an event", "events/%s/fire"),
			state("event", "ACTIVE"), state("event", "INACTIVE")),
	}
}

func escape(a []string) []string {
	out := make([]string, len(a))
	for i, s := range a {
		out[i] = url.PathEscape(s)
	}
	return out
}

// putTriggerCmd creates or replaces a trigger from a JSON or YAML spec
// file (schedule.TriggerSpec).
func (c *scheduleClient) putTriggerCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{Use: "put ID --file SPEC", Short: "Create or replace a trigger from a spec file (cron, event, completion or super)",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, a []string) error {
			data, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			body, err := pipeline.SpecJSON(data)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			return c.call(cmd, "PUT", "triggers/"+url.PathEscape(a[0]), json.RawMessage(body))
		}}
	cmd.Flags().StringVar(&file, "file", "", "the trigger spec, JSON or YAML (required)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}
