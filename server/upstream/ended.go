package upstream

import (
	"encoding/json"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// endedUsage reads a Responses API response object (raw) that says its
// answer is over, completed, incomplete, failed or cancelled, and says
// what it billed: its usage, at the service tier that served it, and its
// web searches. A background answer's call is logged before
// its job runs, at the gateway's estimate; a read of the answer by id
// that finds it over carries the real usage, which the gateway books then.
// ok is false for a response still queued or in progress, or one without
// usage. Every relayed read's answer passes here, some of them hundreds
// of kilobytes of output: the two members are found with jsonscan, not by
// decoding the whole answer with encoding/json (1.5 ms of a 200 KB one),
// and only the usage is decoded.
//
// status is how the answer ended (overStatus), with or without usage: ""
// while it is not over.
func endedUsage(raw []byte) (u router.Usage, status string, ok bool) {
	obj, parsed := jsonscan.ParseObject(raw)
	if !parsed {
		return router.Usage{}, "", false
	}
	u, ok = endedWith(obj.Get("status"), obj.Get("usage"), obj.Get("service_tier"))
	if ok {
		u = withSearches(u, obj.Get("output"), obj.Get("tools"))
	}
	return u, overStatus(obj.Get("status")), ok
}

// overStatus is the status of a response object whose answer is over
// (completed, incomplete, failed or cancelled), from its status member as
// it stands in its JSON; "" for one still queued or in progress. A job
// that failed or was cancelled has no answer to rate (the store's
// NoteJobEnd), whether or not its provider says what it billed.
func overStatus(status json.RawMessage) string {
	switch s := string(status); s {
	case `"completed"`, `"incomplete"`, `"failed"`, `"cancelled"`:
		return s[1 : len(s)-1]
	}
	return ""
}

// endedWith is endedUsage of a response object's status, usage and
// service_tier members as they stand in its JSON, less the output's web
// searches, which the caller counts once and adds: a stream reads them
// from every response event whether it is over or not.
func endedWith(status, usage, tier json.RawMessage) (router.Usage, bool) {
	if overStatus(status) != "" {
		if u, ok := parseUsage(usage); ok {
			return withTier(u, tier), true
		}
	}
	return router.Usage{}, false
}
