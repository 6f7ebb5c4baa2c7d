package server

import (
	"math"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// proxy serves Chat Completions, Responses and Messages calls: decide,
// admit against the key's budget and the deployment's capacity, forward in decision order and
// note the outcome on the record.
func (s *Server) proxy(api openai.API) gin.HandlerFunc {
	return func(c *gin.Context) {
		r, err := s.decide(c, api, false)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if s.cfg.Forwarder == nil {
			s.writeError(c, router.Errorf(router.ENotConfigured, "forwarding is not configured on this server"))
			return
		}
		ex := exchangeOf(c)
		if s.cfg.Budgets != nil {
			// Held from here to the record's end (finish), whatever
			// happens between: calls sent at once each see the others.
			spend, err := s.cfg.Budgets.Hold(c.Request.Context(), keyIDOf(c), expectedCost(r), ex.rec.Time)
			if err != nil {
				s.writeError(c, err)
				return
			}
			ex.spend = spend
		}
		if s.cfg.Limiter != nil {
			settle, headers, ok := s.cfg.Limiter.Admit(r.dep, estimatedTokens(r))
			for k, vs := range headers {
				for _, v := range vs {
					c.Writer.Header().Add(k, v)
				}
			}
			if !ok {
				s.writeError(c, router.Errorf(router.ERateLimited,
					"Deployment %q is over its capacity (%d); retry after the number of seconds in Retry-After.",
					r.dep.Name, r.dep.Capacity))
				return
			}
			ex.settle = settle
		}

		d := r.decision
		call := upstream.Call{
			API:         upstreamAPI(api),
			Raw:         r.raw,
			Checked:     true, // openai.Parse read it
			Stream:      r.req.Stream,
			InputTokens: r.needs.InputTokens,
			// The same estimate billedUsage logs for an answer without
			// usage, so the client's count and the log's agree.
			OutputTokens: func(m router.Model) int { return estimatedUsage(r, m).CompletionTokens },
			Order:        d.Order(),
			// Failing, a thread continuation is answered thread_not_found
			// and sent again whole (threads.go).
			Resendable: r.req.Thread == openai.ThreadContinue,
			// Left only on a continuation of a provider's stored answer (a
			// kept one's went with the rebuilt body).
			PreviousResponseID: r.req.PreviousResponseID,
			Continues:          r.continues,
			Trace:              ex.trace,
			Details: func(attempts []router.Attempt, answered router.Model) any {
				return openai.Details(d, answered.ID, attempts)
			},
		}
		if api == openai.Messages {
			// Canonical keys: looking up "anthropic-beta" would allocate
			// its canonical form on every call.
			call.Beta = c.Request.Header["Anthropic-Beta"]
			call.Version = c.Request.Header.Get("Anthropic-Version")
		}
		if api == openai.Responses && s.cfg.Responses != nil && !r.req.NoStore {
			call.Keep = func(k upstream.Kept) { s.keep(c.Request.Context(), r, k) }
		}
		var w http.ResponseWriter = c.Writer
		var head *headSniffer
		switch {
		case api == openai.Responses:
			// Noted as the answer's id goes out, not only at its end: a
			// background answer's stream stays open while the job waits
			// and runs, and its client reads or cancels it by that id
			// meanwhile.
			head = &headSniffer{ResponseWriter: c.Writer}
			sniffed := head
			head.seen = func([]byte) bool { return s.noteStored(c, sniffed.head, ex.rec.PreviousResponseID) }
		case r.req.Thread != "":
			// Noted as the answer's id goes out, before its end: the
			// client sends the thread's next turn the moment it has it.
			head = &headSniffer{ResponseWriter: c.Writer, seen: func(write []byte) bool {
				return s.noteThread(r, c.Writer.Header(), write)
			}}
		}
		if head != nil {
			w = head
		}
		out := s.cfg.Forwarder.Forward(c.Request.Context(), w, call)
		if lost := lostThread(r, out); lost != nil {
			// The client sends the conversation whole instead (threads.go);
			// the record keeps the attempt that failed.
			out.Err, out.Status, out.RetryAfter = lost, 0, 0
		}

		rec := &ex.rec
		rec.Answered = out.Answered.ID
		rec.Attempts = s.withoutRequestText(out.Attempts, r.raw)
		rec.Status = out.Status
		rec.FirstByte = out.FirstByte
		rec.Usage, rec.UsageEstimated = billedUsage(r, out)
		if out.Answered.ID != "" && !out.Refused {
			rec.CostUSD = rec.Usage.Cost(out.Answered) // spent from the key's budget in finish
		}
		s.settleAffinity(r, out)
		if api == openai.Responses && out.Answered.ID != "" {
			// Who wrote the answer: a read, a delete or the next turn by
			// its id alone must reach that model's provider (pinStored).
			if id := openai.ResponseID(head.head); id != "" {
				rec.ResponseID = id
				s.recent.put(id, Answer{Model: out.Answered.ID, KeyID: keyIDOf(c), PreviousResponseID: rec.PreviousResponseID})
			}
			s.noteOwned(c, rec, r, out)
		}
		if out.Err != nil {
			if out.Wrote {
				// The client already has the status line (a stream broke
				// off, or the provider's own 4xx was passed through).
				ex.fail(out.Err)
				return
			}
			if out.RetryAfter > 0 {
				apierr.SetRetryAfter(c.Writer.Header(), out.RetryAfter)
			}
			s.writeError(c, out.Err)
			if out.Status != 0 {
				rec.Status = out.Status
			}
		}
	}
}

// noteStored remembers who writes the Responses answer whose head has
// gone out, once the head holds its id, when that model's provider stores
// it (a kept answer of Claude's is found in the gateway's store once
// written). The model is the one whose headers went out: a call fails
// over only before that. continued is the answer the call continued
// ("" for none).
func (s *Server) noteStored(c *gin.Context, head []byte, continued string) bool {
	id := openai.ResponseID(head)
	if id == "" {
		return false
	}
	m, ok := s.catalogModel(c.Writer.Header().Get(upstream.HeaderModel))
	if ok && s.cfg.Supports(m, upstream.APIResponses, upstream.ContentPrefix+"previous_response_id") == "" {
		s.recent.put(id, Answer{Model: m.ID, KeyID: keyIDOf(c), PreviousResponseID: continued})
	}
	return true
}

// settleAffinity keeps the session on the model that actually answered, or
// lets it go when its model failed. A refusal (the provider's 4xx passed
// through) is not an answer: pinning the session to a fallback that
// refused would send every later turn to the same refusal. The session's
// model failed when the call moved on from it to another model, or when
// no model answered and the client had not left; a client that left
// before its model failed says nothing about the model, so the session
// keeps it, as it does when its own model refused the request.
func (s *Server) settleAffinity(r *routed, out upstream.Outcome) {
	if r.sessionKey == "" {
		return
	}
	switch {
	case out.Answered.ID != "" && !out.Refused:
		// The chosen model too: a decision leaves the pin of a session
		// whose model is unhealthy until another model answers.
		s.cfg.Router.Pin(r.dep.Name, r.sessionKey, out.Answered.ID)
	case movedPast(r.decision.ChosenID, out.Attempts),
		out.Answered.ID == "" && out.Status != statusClientClosed:
		s.cfg.Router.Failed(r.dep.Name, r.sessionKey)
	}
}

// movedPast reports whether the call went on from model id to another
// model: failover leaves a model only when it failed or had to be skipped.
func movedPast(id string, attempts []router.Attempt) bool {
	for _, a := range attempts[:max(len(attempts)-1, 0)] {
		if a.Model == id {
			return true
		}
	}
	return false
}

// billedUsage is what the call's answer cost in tokens: the provider's
// usage when it sent the whole answer and said. An answer cut short (the
// client left mid-stream, the stream broke) or never counted (a server
// that ignores include_usage) was still billed, up to where it stopped:
// the estimate stands in for what was not reported (true), so capacity,
// budgets and the cost report do not count it as free. Claude reports its
// input at the start of a stream and its output only at the end, so a
// cut Claude stream keeps the reported input.
func billedUsage(r *routed, out upstream.Outcome) (router.Usage, bool) {
	u := out.Usage
	switch {
	case out.Answered.ID == "" || out.Refused:
		return u, false
	case out.Whole && (u.PromptTokens > 0 || u.CompletionTokens > 0):
		return u, false
	}
	est := estimatedUsage(r, out.Answered)
	if u.PromptTokens == 0 {
		u.PromptTokens = est.PromptTokens
	}
	if u.ServiceTier == "" {
		// The answer named no tier before it stopped: it was served at
		// the one it was sent, which the router priced and the key's
		// budget held.
		u.ServiceTier = r.needs.ServedTier(out.Answered)
	}
	// The text the stream carried was generated, however it ended: an
	// answer cut past its predicted length is billed at least that.
	u.CompletionTokens = max(u.CompletionTokens, est.CompletionTokens, out.TextTokens)
	return u, true
}

// expectedCost is the chosen model's expected cost as the router weighed
// it (hidden reasoning included, within the output limit the model is
// sent, the client's or the translation's default): the prompt once and
// every answer the call asks for (n). A key's budget holds it while the
// call runs.
func expectedCost(r *routed) float64 {
	for _, c := range r.decision.Candidates {
		if c.Model == r.decision.ChosenID && c.Eligible {
			return c.ExpectedCost
		}
	}
	return 0
}

// estimatedTokens is what a call is charged against capacity before it
// runs, what it is expected to be billed: the prompt, and for each answer
// it asks for (n) the chosen model's predicted answer with its hidden
// reasoning at the effort or thinking the call asks of it
// (router.Needs.ReasoningTokens), capped at the output limit the model is
// sent (which counts both): the client's, or the max_tokens a translation
// sends without one (router.Needs.OutputLimit), as the router's expected
// cost is. The settle corrects it to the billed tokens, which count all of
// them: charged only one answer without its reasoning, a burst of such
// calls would all pass the limiter before the first one settled.
func estimatedTokens(r *routed) int {
	out := predictedOutput(r, r.decision.ChosenID, r.needs.ReasoningTokens(r.decision.Chosen))
	return r.needs.PromptFor(r.decision.Chosen) + out*max(r.req.Choices, 1)
}

// estimatedUsage is a call's usage as predicted for m: the prompt's
// estimated tokens (what m keeps of it, where its provider cuts it to
// fit), and m's predicted answer length capped at the output limit it is
// sent.
func estimatedUsage(r *routed, m router.Model) router.Usage {
	return router.Usage{PromptTokens: r.needs.PromptFor(m), CompletionTokens: predictedOutput(r, m.ID, 0)}
}

// predictedOutput is one answer's predicted tokens from model, reasoning
// more, capped at the output limit model is sent, where its provider stops:
// the client's, or the default max_tokens of Claude's translation.
func predictedOutput(r *routed, model string, reasoning float64) int {
	out := 0.0
	for _, c := range r.decision.Candidates {
		if c.Model == model && c.Eligible {
			out = c.OutputTokens
		}
	}
	if reasoning > 0 && !math.IsInf(reasoning, 0) {
		out += reasoning
	}
	if m, _ := r.needs.OutputLimit(model); m > 0 && float64(m) < out {
		out = float64(m)
	}
	if !(out > 0) || math.IsInf(out, 0) { // no prediction (or a bad one)
		out = 0
	}
	return int(math.Ceil(out))
}

// headSniffer keeps a copy of the first bytes written to the client (where
// a Responses or Messages answer carries its id) and passes everything
// through, flushes included. seen, when set, is shown each write whole,
// before it goes on, until it returns true or the head is full: a JSON
// answer is one write, and a stream's first event another.
type headSniffer struct {
	http.ResponseWriter
	head []byte
	seen func(write []byte) bool
}

const sniffBytes = 8 << 10

func (h *headSniffer) Write(p []byte) (int, error) {
	if room := sniffBytes - len(h.head); room > 0 {
		h.head = append(h.head, p[:min(room, len(p))]...)
		if h.seen != nil && h.seen(p) {
			h.seen = nil
		}
	}
	return h.ResponseWriter.Write(p)
}

// Flush implements http.Flusher: streams must still flush per event.
func (h *headSniffer) Flush() {
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (h *headSniffer) Unwrap() http.ResponseWriter { return h.ResponseWriter }

func upstreamAPI(api openai.API) upstream.API {
	switch api {
	case openai.Responses:
		return upstream.APIResponses
	case openai.Messages:
		return upstream.APIMessages
	}
	return upstream.APIChatCompletions
}
