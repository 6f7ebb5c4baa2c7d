package server

import (
	"context"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/echoed"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// apiRoute is the decision-only endpoint's record API.
const apiRoute openai.API = "route"

const exchangeKey = "modelrouter.exchange"

// exchange is one API request's record while it is being served.
type exchange struct {
	start time.Time
	rec   router.Record
	// trace is the client's W3C trace context, passed on to providers.
	trace  upstream.TraceContext
	settle func(actualTokens int)
	// spend ends the call's hold on its key's budget with what it cost.
	spend func(usd float64)
}

func exchangeOf(c *gin.Context) *exchange {
	v, ok := c.Get(exchangeKey)
	if !ok {
		return nil
	}
	ex, _ := v.(*exchange)
	return ex
}

// fail notes the first error of the request.
func (ex *exchange) fail(err error) {
	if ex.rec.ErrorCode == "" {
		ex.rec.ErrorCode = router.ErrorCode(err)
	}
}

// record makes sure every API request yields exactly one decision record,
// sent to the log and the observer once the handler chain is done, whatever
// happened in it. It runs after the key check: a call refused for its key
// has none (Authenticate).
func (s *Server) record(api openai.API) gin.HandlerFunc {
	return func(c *gin.Context) {
		now := time.Now()
		ex := &exchange{start: now, rec: router.Record{RequestID: requestID(c), Time: now, API: string(api), KeyID: keyIDOf(c)}}
		ex.trace = upstream.ReadTraceContext(c.Request.Header)
		ex.rec.TraceID = ex.trace.TraceID()
		if s.cfg.Router != nil {
			ex.rec.RouterModel = s.cfg.Router.RouterModel() // a decision names its own (a reload may come between)
		}
		c.Set(exchangeKey, ex)
		s.inFlight.Add(1)
		defer s.inFlight.Done()
		defer s.finish(c, ex)
		c.Next()
	}
}

// Wait returns once every API request under way has sent its record, or
// ctx is done (its error then). A server cut short at shutdown
// (http.Server.Close does not wait for handlers) waits here before closing
// the decision log, so the records of the calls it cut are not dropped.
func (s *Server) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.inFlight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) finish(c *gin.Context, ex *exchange) {
	rec := &ex.rec
	if rec.Status == 0 {
		rec.Status = c.Writer.Status()
	}
	rec.Total = time.Since(ex.start)
	if rec.Decision.RouterModel != "" {
		rec.RouterModel = rec.Decision.RouterModel
	}
	if ex.settle != nil {
		ex.settle(rec.Usage.PromptTokens + rec.Usage.CompletionTokens)
	}
	if ex.spend != nil {
		ex.spend(rec.CostUSD)
	}
	if s.cfg.Log != nil {
		s.cfg.Log.Record(*rec)
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer.Observe(*rec)
	}
}

// notePrompt stores the routed text's hash (keyed when the operator set a
// key), and the text itself only when the operator asked for it.
func (s *Server) notePrompt(ex *exchange, prompt string) {
	ex.rec.PromptHash = router.HashPrompt(s.cfg.PromptHashKey, prompt)
	if s.cfg.KeepPromptText {
		ex.rec.PromptText = prompt
	}
}

// withoutRequestText is attempts as the log keeps them: unless the
// operator keeps prompts, with the text of the request (raw, the body
// forwarded) that a provider's error message quotes replaced
// (echoed.Replace). vLLM's and SGLang's validation errors quote the input,
// which would put the prompt's start in a log that keeps only its hash.
// attempts is the Forwarder's: changed, it is copied.
func (s *Server) withoutRequestText(attempts []router.Attempt, raw []byte) []router.Attempt {
	if s.cfg.KeepPromptText {
		return attempts
	}
	var msgs []string
	var at []int
	for i, a := range attempts {
		if a.Error != "" {
			msgs, at = append(msgs, a.Error), append(at, i)
		}
	}
	if len(msgs) == 0 {
		return attempts
	}
	var out []router.Attempt
	for j, msg := range echoed.Replace(msgs, raw) {
		if msg == msgs[j] {
			continue
		}
		if out == nil {
			out = slices.Clone(attempts)
		}
		out[at[j]].Error = msg
	}
	if out == nil {
		return attempts
	}
	return out
}
