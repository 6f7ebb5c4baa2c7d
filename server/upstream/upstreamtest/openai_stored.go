package upstreamtest

import (
	"fmt"
	"net/http"
	"strconv"
)

// storedResponse is an answer the OpenAI fake stores, as OpenAI stores
// every Responses answer unless the call sets store: false.
type storedResponse struct {
	c     *call // the call that wrote it: its model, behaviour and body
	input []any
	// background answers start queued and are done at the second read
	// (queued, in_progress, completed), unless cancelled first.
	background bool
	status     string
}

// storedRoutes serves what OpenAI serves on a stored answer.
func (f *Fake) storedRoutes(mux *http.ServeMux) {
	for _, prefix := range []string{"/v1/responses", "/responses", "/openai/v1/responses"} {
		mux.HandleFunc("GET "+prefix+"/{id}", f.getStored)
		mux.HandleFunc("DELETE "+prefix+"/{id}", f.deleteStored)
		mux.HandleFunc("POST "+prefix+"/{id}/cancel", f.cancelStored)
		mux.HandleFunc("GET "+prefix+"/{id}/input_items", f.storedInputItems)
	}
}

// Stored reports whether the fake stores the answer id.
func (f *Fake) Stored(id string) bool { return f.knows(id) }

func (f *Fake) knows(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.stored[id]
	return ok
}

// store keeps the call's answer unless it set store: false.
func (c *call) store() {
	if st, ok := c.body["store"].(bool); ok && !st {
		return
	}
	input, ok := c.body["input"].([]any)
	if !ok {
		input = []any{map[string]any{"role": "user", "content": c.body["input"]}}
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.stored[c.responseID()] = &storedResponse{c: c, input: input, status: "completed"}
}

// startBackground answers a background call: queued, to be read later,
// or, streamed, done by the end of its stream (the answer goes on when the
// stream is cut, as at OpenAI). A streamed one whose model stalls is a job
// stuck in the provider's queue: it stays queued, to be read on or
// cancelled as a polled one is, while its stream sends nothing more.
func (f *Fake) startBackground(c *call, streamed bool) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.stored[c.responseID()]
	if st == nil { // store: false; OpenAI refuses that, the fake does not care
		st = &storedResponse{c: c}
	}
	st.background, st.status = true, "queued"
	if streamed && !c.b.Stall {
		st.status = "completed"
	}
	return st.object()
}

func (st *storedResponse) object() map[string]any {
	resp := st.c.response(st.status)
	resp["background"] = st.background
	return resp
}

// lookup records a request about a stored answer and returns the answer,
// or nil after writing the error (bad key, unknown id).
func (f *Fake) lookup(w http.ResponseWriter, r *http.Request) *storedResponse {
	id := r.PathValue("id")
	f.mu.Lock()
	st := f.stored[id]
	model := ""
	if st != nil {
		model = st.c.model
	}
	f.requests = append(f.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Model: model,
		Stream: r.URL.Query().Get("stream") == "true",
	})
	f.mu.Unlock()
	switch {
	case f.Key != "" && !f.openAIKeyOK(r)(r.Header):
		writeOpenAIError(w, http.StatusUnauthorized, "invalid api key")
		return nil
	case st == nil:
		writeOpenAIError(w, http.StatusNotFound, fmt.Sprintf("Response with id '%s' not found.", id))
		return nil
	}
	return st
}

// getStored answers GET /responses/{id}: the answer, or with ?stream=true
// (background answers only) its events after starting_after.
func (f *Fake) getStored(w http.ResponseWriter, r *http.Request) {
	st := f.lookup(w, r)
	if st == nil {
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	switch st.status {
	case "queued":
		st.status = "in_progress"
	case "in_progress":
		st.status = "completed"
	}
	if q.Get("stream") == "true" && st.background && st.status != "cancelled" {
		st.status = "completed"
	}
	obj := st.object()
	f.mu.Unlock()
	if q.Get("stream") != "true" {
		writeJSON(w, obj)
		return
	}
	if !st.background {
		writeOpenAIError(w, http.StatusBadRequest, "Streaming is only available for background responses.")
		return
	}
	after := -1
	if v := q.Get("starting_after"); v != "" {
		after, _ = strconv.Atoi(v)
	}
	c := *st.c
	c.w, c.r = w, r
	c.b = f.replayBehavior(c.model, c.b)
	var evs []map[string]any
	for _, ev := range c.responsesEvents(true) {
		if ev["sequence_number"].(int) > after {
			evs = append(evs, ev)
		}
	}
	sendEvents(c.startSSE(), evs)
}

// replayBehavior is how a replay of an answer written under b behaves: the
// answer is the one stored, but the connection misbehaves as the model's
// behaviour says now, so a test can cut the stream that made an answer and
// let the replay run whole, or stall a replay after some events.
func (f *Fake) replayBehavior(model string, b Behavior) Behavior {
	f.mu.Lock()
	now := f.behaviors[model]
	f.mu.Unlock()
	b.CutAfter, b.Stall, b.StallAfter, b.HoldOpen = now.CutAfter, now.Stall, now.StallAfter, now.HoldOpen
	return b
}

func (f *Fake) deleteStored(w http.ResponseWriter, r *http.Request) {
	if f.lookup(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	f.mu.Lock()
	delete(f.stored, id)
	f.mu.Unlock()
	writeJSON(w, map[string]any{"id": id, "object": "response.deleted", "deleted": true})
}

func (f *Fake) cancelStored(w http.ResponseWriter, r *http.Request) {
	st := f.lookup(w, r)
	if st == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case !st.background:
		writeOpenAIError(w, http.StatusBadRequest, "Only responses created with background=true can be cancelled.")
	case st.status == "completed":
		writeOpenAIError(w, http.StatusBadRequest, "Cannot cancel a completed response.")
	default:
		st.status = "cancelled"
		writeJSON(w, st.object())
	}
}

// storedInputItems lists the input the answer was written for, newest
// first unless order=asc, at most limit items (default 20).
func (f *Fake) storedInputItems(w http.ResponseWriter, r *http.Request) {
	st := f.lookup(w, r)
	if st == nil {
		return
	}
	items := make([]any, len(st.input))
	for i, it := range st.input {
		m, _ := it.(map[string]any)
		out := map[string]any{"id": fmt.Sprintf("msg_in_%d", i)}
		for k, v := range m {
			out[k] = v
		}
		if _, ok := out["type"]; !ok {
			out["type"] = "message"
		}
		if text, ok := out["content"].(string); ok {
			// OpenAI lists a message's text as a content part.
			part := "input_text"
			if out["role"] == "assistant" {
				part = "output_text"
			}
			out["content"] = []any{map[string]any{"type": part, "text": text}}
		}
		items[i] = out
	}
	if r.URL.Query().Get("order") != "asc" {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	limit := 20
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 {
		limit = v
	}
	more := len(items) > limit
	items = items[:min(limit, len(items))]
	list := map[string]any{"object": "list", "data": items, "has_more": more, "first_id": nil, "last_id": nil}
	if len(items) > 0 {
		list["first_id"] = items[0].(map[string]any)["id"]
		list["last_id"] = items[len(items)-1].(map[string]any)["id"]
	}
	writeJSON(w, list)
}
