package upstream

import (
	"encoding/json"

	"github.com/modelrouter/modelrouter/router"
)

// endedUsage reads a Responses API response object (raw) that says its
// answer is over, completed, incomplete, failed or cancelled, and says
// what it billed: its usage. A background answer's call is logged before
// its job runs, at the gateway's estimate; a read of the answer by id
// that finds it over carries the real usage, which the gateway books then.
// ok is false for a response still queued or in progress, or one without
// usage.
func endedUsage(raw []byte) (router.Usage, bool) {
	var resp struct {
		Status json.RawMessage `json:"status"`
		Usage  json.RawMessage `json:"usage"`
	}
	if json.Unmarshal(raw, &resp) != nil {
		return router.Usage{}, false
	}
	return endedWith(resp.Status, resp.Usage)
}

// endedWith is endedUsage of a response object's status and usage members
// as they stand in its JSON.
func endedWith(status, usage json.RawMessage) (router.Usage, bool) {
	switch string(status) {
	case `"completed"`, `"incomplete"`, `"failed"`, `"cancelled"`:
		return parseUsage(usage)
	}
	return router.Usage{}, false
}
