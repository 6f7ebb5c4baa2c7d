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
		Tier   json.RawMessage `json:"service_tier"`
	}
	if json.Unmarshal(raw, &resp) != nil {
		return router.Usage{}, false
	}
	return endedWith(resp.Status, resp.Usage, resp.Tier)
}

// endedWith is endedUsage of a response object's status, usage and
// service_tier members as they stand in its JSON.
func endedWith(status, usage, tier json.RawMessage) (router.Usage, bool) {
	switch string(status) {
	case `"completed"`, `"incomplete"`, `"failed"`, `"cancelled"`:
		if u, ok := parseUsage(usage); ok {
			return withTier(u, tier), true
		}
	}
	return router.Usage{}, false
}
