package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// runView is a run as the native runs API shows it.
type runView struct {
	RunID  string `json:"run_id"`
	Status string `json:"status"`
}

// post triggers a run.
func post(url, body string) (runView, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	return decode(resp, err)
}

// get reads a run.
func get(url string) (runView, error) {
	resp, err := http.Get(url)
	return decode(resp, err)
}

func decode(resp *http.Response, err error) (runView, error) {
	var r runView
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return r, fmt.Errorf("%s %s: %s: %s", resp.Request.Method, resp.Request.URL, resp.Status, b)
	}
	return r, json.NewDecoder(resp.Body).Decode(&r)
}
