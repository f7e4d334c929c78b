package ckantest

import "time"

// DefaultAircanResubmitAfter is how old the last AirCan status of a
// resource must be before ckanext-aircan's resource_update hook submits it
// again.
const DefaultAircanResubmitAfter = 10 * time.Minute

// Submission is one aircan_submit that ckanext-aircan's resource_update
// hook would have made.
type Submission struct {
	ResourceID string
	// Action is the action whose update fired the hook.
	Action string
}

// Submissions returns the submissions the resource_update hook made, in
// order (see Options.AircanHook).
func (s *Server) Submissions() []Submission {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submission(nil), s.submits...)
}

// aircanHookLocked is ckanext-aircan's resource_update hook: an update of
// a resource that is not DataStore-only submits it to AirCan again unless
// its last status update is younger than Options.AircanResubmitAfter. s.mu
// is held.
func (s *Server) aircanHookLocked(action string, res map[string]any) {
	if !s.opts.AircanHook || res["url_type"] == "datastore" {
		return
	}
	id := textOf(res["id"])
	if last, ok := s.statusAt[id]; ok && time.Since(last) < s.opts.AircanResubmitAfter {
		return
	}
	s.submits = append(s.submits, Submission{ResourceID: id, Action: action})
}
