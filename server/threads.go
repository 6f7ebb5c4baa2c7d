package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// Anthropic's message threads (beta message-threads-2026-08-12) keep a
// conversation at Anthropic: a call with thread {"type": "create"} sends
// it whole, and each later one, {"type": "continue", "previous_message_id":
// <the last answer's id>}, only its new messages, without system or tools.
// Only the provider that answered the thread's last turn holds the rest,
// so a continuation may go to that model alone; any other model would
// answer the new messages as if they were the whole conversation. When the
// gateway cannot send it there, or that model fails (lostThread), it
// answers as Anthropic answers for a thread it no longer holds (404, error.details.error_code
// "thread_not_found"), on which Anthropic's SDKs send the whole
// conversation again under a new thread, which any model can answer.
//
// Which model holds a thread is remembered in memory only: Anthropic
// keeps a thread 5 minutes after its last turn, and a thread the gateway
// has forgotten (a restart, or more recent thread answers than it
// remembers) costs the client that resend, never the conversation.

// pinThread sends a thread continuation to the model that wrote the
// answer it continues, or refuses it with thread_not_found when that
// model is unknown, another key's answer, or not among this call's
// models (the deployment's, narrowed by routing_config.models).
func (s *Server) pinThread(r *routed) error {
	id := r.req.PreviousMessageID
	a, ok := s.threads.get(id)
	if !ok || !s.mayUse(a.KeyID, r.keyID) {
		return threadNotFound(id, "the gateway holds no thread that ends with it")
	}
	m, known := s.catalogModel(a.Model)
	if !known {
		return threadNotFound(id, fmt.Sprintf("its thread is held for %s, which this gateway no longer routes to", a.Model))
	}
	may, err := s.callModels(r)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(may, func(c router.Model) bool { return c.ID == m.ID }) {
		return threadNotFound(id, fmt.Sprintf("its thread is held for %s, which this call's models leave out", m.ID))
	}
	r.pinned = []string{m.ID}
	r.writer, r.writerWhy = m.ID, "chosen: thread.previous_message_id names an answer of this model, and only it holds the thread"
	if r.req.Resumes {
		// Its predictions are of no text at all: say so, lest the log
		// be read as the router having judged this turn.
		r.writerWhy += "; the call sends no new message (the model goes on from its last answer, as after pause_turn), so the router model read no text"
	}
	return nil
}

// lostThread is what a thread continuation whose model did not answer
// gets instead of the 502 (or 429) of a call no model answered; nil when
// the call continues no thread, was answered, or ended for a reason of its
// own (the client left, the gateway is shutting down, the provider's own
// 4xx went to the client). Only that model holds the thread, so the call
// could not fail over; the whole conversation sent again with thread
// create is routed afresh, and that call can. Anthropic's SDKs send it at
// once on thread_not_found, where on a 5xx they would ask the same model
// twice more, after backoff, and then give their caller the error.
func lostThread(r *routed, out upstream.Outcome) error {
	if r.req.Thread != openai.ThreadContinue || out.Err == nil || out.Wrote || out.Status == statusClientClosed {
		return nil
	}
	if code := router.ErrorCode(out.Err); code != router.EUpstream && code != router.ERateLimited {
		return nil
	}
	failed := make([]string, len(out.Attempts))
	for i, a := range out.Attempts {
		failed[i] = a.ClientError()
	}
	return threadNotFound(r.req.PreviousMessageID, fmt.Sprintf("its thread is held for %s, which did not answer (%s)",
		r.writer, strings.Join(failed, "; ")))
}

// threadNotFound is Anthropic's answer for a thread it does not hold, which
// Anthropic's SDKs recover from by sending the whole conversation again.
func threadNotFound(id, why string) error {
	return &router.Error{Code: router.ENotFound, Reason: apierr.ThreadNotFound, Param: "thread.previous_message_id",
		Message: fmt.Sprintf("No thread to continue from message %q: %s. Send the whole conversation with thread {\"type\": \"create\"}.", id, why)}
}

// noteThread remembers which model holds the thread of a Messages answer
// once a write to the client carries the answer's id (true; false while
// none has): the model named by the answer's header, when its provider
// speaks Anthropic's API and so got the call's thread field. A translated
// answer holds no thread, so a continuation of it is refused (pinThread)
// and the client sends the conversation whole.
func (s *Server) noteThread(r *routed, h http.Header, head []byte) bool {
	id := messageID(head)
	if id == "" {
		return false
	}
	m, ok := s.catalogModel(h.Get(upstream.HeaderModel))
	if ok && s.supports(m, openai.Messages, []string{upstream.ContentPrefix + "message threads"}) == "" {
		s.threads.put(id, Answer{Model: m.ID, KeyID: r.keyID})
	}
	return true
}

// messageID returns the id of the Messages answer that write begins: a
// JSON answer's top-level id (not an id inside its content, such as a
// tool's input naming a message), or a stream's message_start event's
// message.id; "" when write holds neither.
func messageID(write []byte) string {
	write = bytes.TrimLeft(write, " \t\r\n")
	if len(write) > 0 && write[0] == '{' {
		var answer struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if json.Unmarshal(write, &answer) == nil && answer.Type == "message" {
			return answer.ID
		}
		return ""
	}
	for _, line := range bytes.Split(write, []byte("\n")) {
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		var ev struct {
			Type    string `json:"type"`
			Message struct {
				ID string `json:"id"`
			} `json:"message"`
		}
		if json.Unmarshal(bytes.TrimSpace(data), &ev) == nil && ev.Type == "message_start" {
			return ev.Message.ID
		}
	}
	return ""
}
