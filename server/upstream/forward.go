package upstream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
)

// Defaults of the Forwarder's timeouts.
//
// DefaultDeadline is a little under the 10 minutes (600 s) OpenAI's and
// Anthropic's SDKs wait by default: long enough not to cut answers their
// clients still wait for (a reasoning model at high effort may think for
// minutes before its first token), and short enough that the gateway's
// 502, which says which models were tried and why, reaches the client
// before its SDK gives up with a bare timeout of its own. At exactly 10
// minutes both end at once and the client sees only its own timeout.
// DefaultStreamIdle, which bounds only the silences of a stream that has
// begun, is as far under the SDKs' timeout, which is a read timeout (600 s
// without a byte): keep-alive comments are not forwarded to Chat or
// Responses clients, nor Claude's pings translated for them, so a stalled
// stream is silent to the client too, and at 10 minutes the client's SDK
// gave up at the moment the gateway sent its error event saying why.
const (
	DefaultDeadline       = 9*time.Minute + 30*time.Second
	DefaultAttemptTimeout = 60 * time.Second
	DefaultStreamIdle     = 9*time.Minute + 30*time.Second
)

// maxAnswerBytes bounds a non-streaming answer read into memory.
const maxAnswerBytes = 64 << 20

// Forwarder sends calls to providers, failing over between models.
// It is safe for concurrent use.
type Forwarder struct {
	Providers
	// Client sends the requests; nil means a shared client that speaks
	// HTTP/2 to providers offering it over TLS, keeps 64 idle HTTP/1.1
	// connections per host (proxy settings from the environment) and
	// follows no redirects (see defaultClient). One with a Transport of
	// its own speaks HTTP/2 only with ForceAttemptHTTP2. It should have no
	// Timeout of its own: a stream has no overall deadline. One that
	// follows redirects would send x-api-key and api-key on to whatever
	// host a provider names (Go drops only Authorization across hosts).
	Client *http.Client
	// Deadline bounds the call until its answer begins to reach the
	// client, failovers included: a JSON answer whole, a stream until its
	// first event goes out; from then on a stream is bounded by
	// StreamIdle instead (see callDeadline). Default DefaultDeadline.
	Deadline time.Duration
	// AttemptTimeout bounds one attempt's wait for the provider to begin
	// answering: its response headers and then a stream's first event
	// passed to the client, a JSON answer's whole body or an error's
	// body. A model that stalls longer is abandoned for the next one. On
	// a new answer asked for as JSON it runs from the response headers,
	// which come only once the answer is whole (see answerWait).
	AttemptTimeout time.Duration
	// Health, when set, hears how each attempt went, so routing can try
	// failing models last (see [Health]).
	Health *Health
	// Backoff, when set, remembers the waits providers ask for (a 429's
	// Retry-After), so routing tries those models last and calls skip
	// them while another model is left (see [Backoff]).
	Backoff *Backoff
	// StreamIdle bounds the silence of a stream once its first event has
	// gone to the client, and of a relayed stream (a background answer
	// read as it is written) from its headers on; neither has an overall
	// deadline: reasoning models may think for minutes between events.
	// Default DefaultStreamIdle.
	StreamIdle time.Duration
	// Drain, when set, ends every call still open once it is done (a
	// shutdown whose grace ran out; see drain.go): a stream under way
	// gets its API's error event, a call not yet answered a 503.
	Drain context.Context
	// EstimateTokens counts the tokens of a piece of answer text a stream
	// carried, or a whole answer without usage (Outcome.TextTokens); nil
	// estimates 4 bytes a token.
	EstimateTokens func(text string) int
}

// Call is one client request to forward.
type Call struct {
	API API
	// Raw is the client's body as received.
	Raw []byte
	// Stream is what the client asked for: a stream answering a
	// non-streaming call is a failed attempt, a JSON answer to a streaming
	// one goes to the client as events (a relay's answer is passed on as
	// it comes).
	Stream bool
	// Order is the chosen model, then the fallbacks in rank order.
	Order []router.Model
	// Details, when set, returns the model_selection_details object added
	// to the answer: the top-level JSON of a non-streaming answer, or the
	// first event of a stream (only the first: the rest stay as small as
	// the provider sent them).
	Details func(attempts []router.Attempt, answered router.Model) any
	// Beta is the client's anthropic-beta header values and Version its
	// anthropic-version; sent on to Anthropic providers on APIMessages
	// calls (Version replacing ours when set), ignored otherwise.
	Beta    []string
	Version string
	// Trace is the client's W3C trace context (ReadTraceContext), sent on
	// with every attempt whatever the provider's kind.
	Trace TraceContext
	// Checked says Raw is known to be one valid JSON object (the gateway
	// parsed it before routing), so forwarding does not check it again.
	Checked bool
	// InputTokens is the gateway's estimate of the prompt's tokens (the
	// one routing used). A Messages stream translated from Chat
	// Completions starts with it in message_start, whose input_tokens
	// some clients read as the prompt's count, before the provider's
	// own count comes (in message_delta).
	InputTokens int
	// OutputTokens, when set, is the gateway's estimate of one answer's
	// tokens from a model (its predicted length within the output limit
	// it is sent), what the log bills an answer whose provider reported
	// no usage. A translated answer (Messages from Chat Completions, Chat
	// Completions or Responses from Anthropic's Messages) whose provider
	// sent none reports it, or the answer text's tokens where that is
	// more, as its output (a Messages stream's in message_delta, a Chat
	// stream's in its usage chunk, a Responses stream's in
	// response.completed), and InputTokens as its input: the counts the
	// SDKs keep as the answer's, rather than 0.
	OutputTokens func(m router.Model) int
	// Keep, when set on a Responses call, is handed every answer that no
	// provider stores (Claude's, translated) before its last bytes reach
	// the client, so a continuation sent the moment it ends can find it.
	// A stream that breaks off is not handed over.
	Keep func(Kept)
	// PreviousResponseID is the previous_response_id a Responses call
	// sends on (a continuation of an answer its provider stores): an
	// answer that names none back (null) came without that conversation
	// and is not passed on (see forgotPrevious).
	PreviousResponseID string
	// Continues is the id of the kept answer a Responses call continues
	// (its previous_response_id, which Raw, the conversation rebuilt
	// whole, no longer carries): the answer names it back in its response
	// objects, as OpenAI's name the response they continue. On a Relay,
	// it is the answer the one relayed continued, as the decision log
	// says: a response object relayed names it where the provider's
	// names none (null), the provider having got that conversation whole.
	Continues string
	// Relay, when set, makes the call a request about an answer a provider
	// stores (see [Relay]) instead of a new answer; Raw is then unused.
	Relay *Relay
	// Resendable: the client has another way to its answer when these
	// models fail (a Messages thread continuation, which it can send again
	// whole, to be routed afresh), so the last model is no last resort:
	// while it is unhealthy or its provider asked to wait, it is skipped
	// without a request, rather than asked anyway.
	Resendable bool
}

// Kept is a translated Responses answer: its id, the model that wrote it,
// its output items (a JSON array) and the whole response object as the
// client gets it, without the details.
type Kept struct {
	ID       string
	Model    router.Model
	Output   json.RawMessage
	Response json.RawMessage
}

// Outcome is what happened to a call.
type Outcome struct {
	// Answered is the model whose answer (or client error) was written;
	// zero when every attempt failed.
	Answered router.Model
	Attempts []router.Attempt
	// Status is the HTTP status the client got (502 when every attempt
	// failed or a stream broke off, 429 when every one was rate limited,
	// 499 when the client went away).
	Status int
	// RetryAfter, on a 429 of the gateway's own, is the shortest wait
	// the rate-limited providers asked for (0: one did not say).
	RetryAfter time.Duration
	// Whole: the answering provider sent its whole answer (a JSON body,
	// or a stream to its closing event), so Usage is what it billed.
	// Refused: the provider refused the request (its 4xx went to the
	// client as it was, or, for a prompt too long for its server's
	// context window, is Err for the caller to write): nothing was billed.
	Whole, Refused bool
	Usage          router.Usage
	// TextTokens estimates the answer text the provider sent
	// (Forwarder.EstimateTokens of each event's text, or of a whole
	// answer's where it reported no usage): an answer whose usage never
	// came was billed at least that much, streamed or not.
	TextTokens int
	// Ended: on a Responses answer's relay (a read, streamed or not, or a
	// cancel), the provider's response object said the answer is over
	// (completed, incomplete, failed or cancelled) and gave its usage,
	// which is EndedUsage: what its job billed. EndedStatus is how it
	// ended, the response object's status, when it said the answer is
	// over, with or without its usage ("" while it is not).
	Ended       bool
	EndedUsage  router.Usage
	EndedStatus string
	// FirstByte is the time from the call's start to the answering
	// upstream's first byte (headers for a JSON answer, first event for
	// a stream); Total the whole call.
	FirstByte, Total time.Duration
	// Translated is true when the answer was translated from another
	// provider API (Claude answering a Chat Completions or Responses call,
	// an OpenAI-compatible model a Messages call): nothing is stored at the
	// provider under the answer's id.
	Translated bool
	// ItemIDs are the ids of the items the client got in a Responses
	// answer a provider stores (its output items; a relayed list's
	// items), each once: what a later item_reference may name.
	ItemIDs []string
	// Err is nil on success. When Wrote is false the caller writes it
	// (an *router.Error with code EUpstream when every attempt failed,
	// context_length_exceeded when the last model's server refused the
	// prompt as too long);
	// when Wrote is true it only explains what was already written.
	Err   error
	Wrote bool
}

func (f *Forwarder) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return defaultClient
}

func (f *Forwarder) deadline() time.Duration {
	if f.Deadline > 0 {
		return f.Deadline
	}
	return DefaultDeadline
}

func (f *Forwarder) attemptTimeout() time.Duration {
	if f.AttemptTimeout > 0 {
		return f.AttemptTimeout
	}
	return DefaultAttemptTimeout
}

// Forward tries call.Order's models in turn and writes the first good
// answer to w. A model is skipped on a connection error, a timeout, a 408,
// a 429 or a 5xx, or a provider refusing the gateway rather than the
// request (on a new answer, a 401, or a 403 or 404 whose body is about the
// gateway's key or the model: see [attempt.refusesGateway]), or a stream
// answering a non-streaming request (see sendsEvents), as long as nothing
// was written to the client yet (a JSON answer to a streaming request is
// an answer: it goes to the client as events, see writeAsStream); any
// other 4xx is the client's to see and is written as the provider's error
// (in OpenAI's error shape, or Anthropic's on APIMessages calls). When
// every model fails, nothing is written and Outcome.Err lists the models
// tried and what each returned. ctx is the client's: cancelling it cancels
// the upstream request.
func (f *Forwarder) Forward(ctx context.Context, w http.ResponseWriter, call Call) Outcome {
	start := time.Now()
	clientCtx := ctx
	var cancel context.CancelFunc
	var deadline *callDeadline
	if call.Relay != nil && call.Stream {
		// A background answer's events may run far past the call
		// deadline; the stream is bounded by its silences instead
		// (StreamIdle).
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel, deadline = withDeadline(ctx, f.deadline())
	}
	defer cancel()
	defer f.drainWith(cancel)()

	var out Outcome
	var limits rateLimits
	var refused refusals
	gatewayRefused, noAPI, forgot, outages := 0, 0, 0, 0
	for i, m := range call.Order {
		if ctx.Err() != nil {
			break
		}
		a := &attempt{f: f, call: call, model: m, start: start, out: &out, w: w, clientCtx: clientCtx,
			deadline: deadline, last: i == len(call.Order)-1, afterOutage: outages > 0}
		if a.run(ctx) {
			out.Total = time.Since(start)
			return out
		}
		limits.add(a.err)
		refused.add(a)
		if refusedGateway(a.err) {
			gatewayRefused++
		}
		if servesNoAPI(a.err) {
			noAPI++
		}
		if forgotConversation(a.err) {
			forgot++
		}
		if transient(a.err) {
			outages++
		}
	}
	out.Total = time.Since(start)
	switch {
	case clientCtx.Err() != nil:
		out.Status = 499
		out.Err = router.Errorf(router.EUpstream, "client closed the request")
	case f.draining():
		out.Status = http.StatusServiceUnavailable
		out.Err = shuttingDown(f.redact(attemptList(out.Attempts)))
	case ctx.Err() == nil && len(out.Attempts) == len(call.Order) && refused.all(len(call.Order)):
		// No provider was asked: the request itself is what no model
		// here can take (a translation refused it), so it is the
		// client's 400, not a 502 an SDK would retry.
		out.Status = http.StatusBadRequest
		out.Err = refused.err(out.Attempts)
	case ctx.Err() == nil && len(out.Attempts) == len(call.Order) && limits.all():
		out.Status = http.StatusTooManyRequests
		out.RetryAfter = limits.wait()
		out.Err = f.allLimited(out.Attempts)
	case ctx.Err() == nil && len(out.Attempts) == len(call.Order) && gatewayRefused == len(call.Order):
		out.Status = http.StatusBadGateway
		out.Err = f.allRefusedGateway(out.Attempts)
	case ctx.Err() == nil && len(out.Attempts) == len(call.Order) && noAPI == len(call.Order):
		out.Status = http.StatusBadGateway
		out.Err = f.noResponsesAPI(out.Attempts)
	case ctx.Err() == nil && len(out.Attempts) == len(call.Order) && forgot == len(call.Order):
		out.Status = http.StatusBadRequest
		out.Err = f.previousForgotten(call, out.Attempts)
	default:
		out.Status = http.StatusBadGateway
		out.Err = f.allFailed(call, out.Attempts, ctx.Err() != nil)
	}
	return out
}

func (f *Forwarder) allFailed(call Call, attempts []router.Attempt, deadline bool) error {
	if len(call.Order) == 0 {
		return router.Errorf(router.EUpstream, "no model to forward the request to")
	}
	msg := "every upstream model failed: " + attemptList(attempts)
	if deadline {
		msg += fmt.Sprintf("; the %s deadline ran out", f.deadline())
	}
	if len(attempts) < len(call.Order) && !deadline {
		msg += fmt.Sprintf("; %d model(s) not tried", len(call.Order)-len(attempts))
	}
	return &router.Error{Code: router.EUpstream, Message: f.redact(msg), Detail: attempts}
}

// refusals gathers the attempts whose request could not be built for
// their model (an EInvalid from a translation), never sent.
type refusals struct {
	n     int
	first *router.Error
}

func (r *refusals) add(a *attempt) {
	var re *router.Error
	if !a.sent && errors.As(a.err, &re) && re.Code == router.EInvalid {
		r.n++
		if r.first == nil {
			r.first = re
		}
	}
}

func (r *refusals) all(models int) bool { return models > 0 && r.n == models }

// err is the first refusal, naming every model's reason when there were
// several.
func (r *refusals) err(attempts []router.Attempt) error {
	e := *r.first
	if len(attempts) > 1 {
		e.Message = "no model can take this request: " + attemptList(attempts)
	}
	return &e
}

// rateLimits gathers whether every attempt of a call was rate limited (a
// 429, or skipped while its provider's wait runs) and the shortest wait
// they asked for.
type rateLimits struct {
	n, limited int
	shortest   time.Duration
	unknown    bool // a 429 that did not say how long to wait
}

func (l *rateLimits) add(err error) {
	l.n++
	var rt *retryable
	if !errors.As(err, &rt) || !rt.limited {
		return
	}
	l.limited++
	switch {
	case rt.wait <= 0:
		l.unknown = true
	case l.shortest == 0 || rt.wait < l.shortest:
		l.shortest = rt.wait
	}
}

// wait is how long the client should wait before trying again: the
// shortest wait asked for, or 0 when a provider did not say (it may take
// the call at once).
func (l *rateLimits) wait() time.Duration {
	if l.unknown {
		return 0
	}
	return l.shortest
}

func (l *rateLimits) all() bool { return l.n > 0 && l.limited == l.n }

// allLimited explains a call every model's provider turned away for now:
// a 429 for the client, whose retry after the wait may well be answered.
func (f *Forwarder) allLimited(attempts []router.Attempt) error {
	return &router.Error{Code: router.ERateLimited, Detail: attempts, Message: f.redact(
		"every upstream model is rate limited by its provider: " + attemptList(attempts) +
			"; retry after the number of seconds in Retry-After, when it is given")}
}

// attemptList names each attempt's model and how it failed.
func attemptList(attempts []router.Attempt) string {
	parts := make([]string, len(attempts))
	for i, a := range attempts {
		parts[i] = fmt.Sprintf("%s (%s)", a.Model, a.ClientError())
	}
	return strings.Join(parts, ", ")
}

// attempt is one model's try.
type attempt struct {
	f     *Forwarder
	call  Call
	model router.Model
	start time.Time
	out   *Outcome
	w     http.ResponseWriter

	clientCtx context.Context //nolint:containedctx // to tell a client that left from a failing upstream
	began     time.Time
	provider  Provider
	// last: the call's last model, tried whatever its health says.
	last bool
	// afterOutage: an earlier model failed in a way a retry may clear
	// (transient), so it may take a prompt this one's server refuses.
	afterOutage bool
	// cancel ends the attempt's request, its body included.
	cancel context.CancelFunc
	// wait is the attempt timeout, running until the provider has begun
	// to answer.
	wait *answerWait
	// deadline is the call's, which a stream lifts once its first event
	// went out; idle then bounds the stream's silences.
	deadline *callDeadline
	idle     *idleBody
	// sent: the request went to the provider, so how it went says
	// something about the provider; ticket is the Health's pass for it.
	sent   bool
	ticket ticket
	// relayedError: the provider's own error status was passed on (a
	// relay's); a stream that broke off after its 200 is not one.
	relayedError bool
	// err is how the attempt failed (nil: it answered).
	err error
	// upstreamID is the provider's id for the request, from its
	// response headers (upstreamRequestID).
	upstreamID string
	// backoffFrom is when the request went out, by the Backoff's clock.
	backoffFrom time.Time
	// claudeBody is the body sent to an Anthropic provider, read again
	// only on its 400 (claudeRefusedSchema).
	claudeBody requestBody
	// writesCut: the attempt's context ended (the call's deadline) while
	// the client was still connected, so a write that fails after it was
	// cut off by the gateway, not ended by a client that left.
	writesCut atomic.Bool
}

// noteHealth tells the Forwarder's Health how the provider did: a failure
// before anything reached the client (what failover is for), or an answer
// or client error (it is up). What the call itself ended (its deadline,
// a client that left) or never sent says nothing about the provider.
func (a *attempt) noteHealth(ctx context.Context, status int, err error) {
	h := a.f.Health
	if h == nil || !a.sent {
		return
	}
	var rt *retryable
	switch {
	case errors.As(err, &rt) && rt.overdue:
		// The call's deadline, but the provider's stall (headersOverdue).
		h.failed(a.model, a.ticket, rt.msg, "")
	case ctx.Err() != nil:
		h.release(a.model, a.ticket)
	case err == nil:
		h.succeeded(a.model, a.ticket, true)
	case errors.As(err, &rt) && rt.unfit:
		// It still answers other calls (its other API, a shorter
		// prompt): failing it would make the model tried last for them.
		h.release(a.model, a.ticket)
	case errors.As(err, &rt) && rt.limited && rt.wait > 0:
		// Busy, not broken: the Backoff waits as asked.
		h.release(a.model, a.ticket)
	case errors.As(err, &rt) && rt.quotes:
		// Shown to other clients (a candidate's reasons, a skipped
		// attempt) and in the server log: never this request's text.
		shown := a.withoutRequestText(rt.msg, a.f.redact(rt.full))
		h.failed(a.model, a.ticket, shown[0], shown[1])
	case errors.As(err, &rt):
		h.failed(a.model, a.ticket, rt.msg, a.f.redact(rt.full))
	case a.relayedError && (status == http.StatusTooManyRequests || status >= 500):
		h.failed(a.model, a.ticket, fmt.Sprintf("HTTP %d", status), "")
	case status >= 400 && status < 500:
		h.succeeded(a.model, a.ticket, false)
	default:
		h.release(a.model, a.ticket)
	}
}

// run makes the attempt and records it; it returns true when the call is
// over: something was written to the client (an answer, a client error
// passed through, or a stream that broke off), or the provider refused the
// request with an error the caller writes (refuseContext).
func (a *attempt) run(ctx context.Context) bool {
	a.began = time.Now()
	status, err := a.send(ctx)
	a.err = err
	if a.provider.Kind == KindAzure {
		// Azure runs the web search tool on Grounding with Bing, billed
		// on Azure's own meter at a price not sourced here: its searches
		// are left unbilled rather than billed at OpenAI's.
		a.out.Usage.WebSearches, a.out.EndedUsage.WebSearches = 0, 0
	}
	a.noteHealth(ctx, status, err)
	a.noteBackoff(status, err)
	rec := router.Attempt{Model: modelID(a.model), Status: status, Latency: time.Since(a.began), NotSent: !a.sent,
		UpstreamRequestID: a.upstreamID}
	if err != nil {
		rec.Error = a.f.redact(err.Error())
		if full := operatorText(err); full != "" && full != err.Error() {
			rec.Shown, rec.Error = rec.Error, a.f.redact(full)
		}
	}
	a.out.Attempts = append(a.out.Attempts, rec)
	return a.out.Wrote || a.out.Refused
}

// noteBackoff tells the Forwarder's Backoff how long the provider asked
// to be left alone, or that it answered.
func (a *attempt) noteBackoff(status int, err error) {
	var rt *retryable
	switch {
	case !a.sent:
	case err == nil && a.call.Relay == nil:
		a.f.Backoff.clear(a.model, a.backoffFrom)
	case errors.As(err, &rt) && rt.wait > 0:
		a.f.Backoff.hold(a.model, status, rt.wait)
	}
}

// retryable marks errors after which the next model is tried. limited:
// the provider turned the call away for now (a 429, or a model skipped
// while its wait runs); wait: how long it asked to be left alone; gateway:
// the provider refused the gateway, not the request (refusesGateway);
// overdue: no headers came before the call's deadline (headersOverdue);
// unfit: the model cannot take this call where it is served (its server
// has no such API, see routeMissing, a smaller context window than the
// catalog's, see contextRefused, or only one choice, see oneChoiceOnly),
// which says nothing of its health;
// noAPI: the first of those, when every model fails so (noResponsesAPI).
type retryable struct {
	msg string
	// full, when set, is msg as the operator reads it in the decision
	// log (a network error's addresses, which the client is not shown).
	full    string
	limited bool
	wait    time.Duration
	gateway bool
	overdue bool
	unfit   bool
	noAPI   bool
	// forgot: the server answered without the conversation the call's
	// previous_response_id names (forgotPrevious).
	forgot bool
	// quotes: msg carries the provider's own words (an error body's
	// message), which may quote the request (withoutRequestText).
	quotes bool
}

func (e *retryable) Error() string { return e.msg }

// send performs the request and, on success, writes the answer. It
// returns the upstream status (0 when none came) and an error describing
// a failure.
func (a *attempt) send(ctx context.Context) (int, error) {
	p, ok := a.f.Resolve(a.model)
	if !ok {
		return 0, &retryable{msg: a.f.Available(a.model)}
	}
	a.provider = p
	if reason := a.f.Supports(a.model, a.call.API); reason != "" {
		return 0, &retryable{msg: reason}
	}
	lastResort := a.last && !a.call.Resendable
	if wait := a.f.Backoff.Wait(a.model); wait > 0 && !lastResort && a.call.Relay == nil {
		return 0, &retryable{msg: fmt.Sprintf("skipped: rate limited, its provider asked to wait %s more", roundUp(wait)),
			limited: true, wait: wait}
	}
	if a.call.Resendable {
		// Routing tries an unhealthy model last but still tries it; this
		// call has a better way than a model known to be failing.
		if why := a.f.Health.Unhealthy(a.model); why != "" {
			return 0, &retryable{msg: "skipped: " + why}
		}
	}
	var req *http.Request
	var hideUsage bool
	var err error
	if a.call.Relay != nil {
		req, err = a.relayRequest(ctx, p)
	} else {
		req, hideUsage, err = a.request(ctx, p)
	}
	if err != nil {
		return 0, err
	}

	// The attempt timeout runs until the provider has begun to answer
	// (answerWait); the rest of the body runs under the call's deadline.
	attemptCtx, cancelAttempt := context.WithCancel(ctx)
	defer cancelAttempt()
	a.cancel = cancelAttempt
	if h := a.f.Health; h != nil {
		var ok bool
		// A relay's model is the only provider that has the answer.
		if a.ticket, ok = h.admit(a.model, lastResort || a.call.Relay != nil); !ok {
			return 0, &retryable{msg: "unhealthy: another call is trying it again"}
		}
	}
	a.wait = newWait(a.f.attemptTimeout(), cancelAttempt)
	defer a.wait.stop()
	// A new answer asked for as JSON gets its headers only once it is
	// whole: the wait starts at them (see answerWait).
	fromHeaders := !a.call.Stream && a.call.Relay == nil
	if !fromHeaders {
		a.wait.start()
	}
	a.sent, a.backoffFrom = true, a.f.Backoff.clock()
	sentAt := time.Now()
	resp, err := a.f.client().Do(req.WithContext(attemptCtx))
	if fromHeaders && err == nil {
		a.wait.start()
	}
	if err != nil {
		switch {
		case a.headersOverdue(ctx, sentAt):
			return 0, &retryable{overdue: true, msg: fmt.Sprintf(
				"timeout: no response headers within the call's %s deadline", a.f.deadline())}
		case ctx.Err() != nil:
			if status, ended := a.endedHere(err); ended != nil {
				// The client left, or the shutdown's grace ran out,
				// before the provider's headers came.
				return status, ended
			}
			return 0, &retryable{msg: "cancelled: " + context.Cause(ctx).Error()}
		case a.wait.expired():
			return 0, a.wait.err("response headers")
		}
		return 0, netRetryable("connection error", err)
	}
	defer resp.Body.Close()
	a.upstreamID = upstreamRequestID(resp.Header)

	switch {
	case a.call.Relay != nil && resp.StatusCode >= 400:
		// Only this provider has the answer: its error is the client's,
		// whatever it is, with when to retry, read as any provider's wait
		// is and written in the gateway's own form: the header's text is
		// the provider's, which may be anything (a date, a 100 KB number).
		if wait := retryAfter(resp.Header, time.Now()); wait > 0 {
			apierr.SetRetryAfter(a.w.Header(), wait)
		}
		a.relayedError = true
		raw := readErrorBody(resp, a.f.redact)
		a.writeClientError(resp.StatusCode, raw)
		return resp.StatusCode, errors.New(a.f.refusalText(resp.StatusCode, raw))
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		// Read under the attempt timeout: a body that never ends must not
		// hold the failover.
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if a.unreadPrevious(resp.StatusCode, raw) {
			// ik_llama.cpp's refusal of the id: its 500, not an outage.
			return resp.StatusCode, a.forgotten(a.f.refusalText(resp.StatusCode, raw))
		}
		if a.oneChoiceOnly(resp.StatusCode, raw) {
			// The server takes only n=1 (llama.cpp): the client's n,
			// not an outage, so its health does not count it, and a
			// model that takes the n may answer. The last model's
			// refusal is the client's, unless an earlier model may
			// take the n on a retry (as for a context refusal).
			if a.last && !a.afterOutage {
				a.refuseChoices(raw)
			}
			return resp.StatusCode, &retryable{unfit: true,
				msg: a.f.refusalText(resp.StatusCode, raw) + " (this server answers only one choice a call, n=1)"}
		}
		rt := &retryable{msg: fmt.Sprintf("HTTP %d", resp.StatusCode),
			limited: resp.StatusCode == http.StatusTooManyRequests,
			wait:    retryAfter(resp.Header, time.Now())}
		if rt.wait > 0 {
			rt.msg += fmt.Sprintf(", retry after %s", roundUp(rt.wait))
		}
		return resp.StatusCode, rt
	case resp.StatusCode >= 400:
		raw := readErrorBody(resp, a.f.redact)
		if a.wireAPI() == APIResponses && routeMissing(resp.StatusCode, raw) {
			// A server of one's own that serves Chat Completions alone
			// (Ollama, llama.cpp, TGI before their Responses APIs): the
			// deployment routed the call there, not the client. The model
			// is not broken, so its health does not count it.
			return resp.StatusCode, &retryable{unfit: true, noAPI: true,
				msg: a.f.refusalText(resp.StatusCode, raw) + " (the provider has no Responses API at this base URL)"}
		}
		if a.unreadPrevious(resp.StatusCode, raw) {
			// llama.cpp reads no previous_response_id: as for a server
			// that answers without the conversation (forgotPrevious),
			// the next model is tried, and when none is left the client
			// gets the gateway's 400 saying what to send instead.
			return resp.StatusCode, a.forgotten(a.f.refusalText(resp.StatusCode, raw))
		}
		if a.wireAPI() == APIResponses && (!a.last || a.afterOutage) && backgroundUnserved(resp.StatusCode, raw) {
			// vLLM started without its response store: the server's
			// setup, not the client's call, which another model's server
			// may run. The model still answers other calls, so its health
			// does not count it. The last model's refusal is the client's,
			// as it came, unless an earlier model may run the call on a
			// retry (as for a context refusal): then the call is the 502
			// a client retries.
			return resp.StatusCode, &retryable{unfit: true,
				msg: a.f.refusalText(resp.StatusCode, raw) + " (the server runs no background responses)"}
		}
		if contextRefused(resp.StatusCode, raw) {
			// The server's own context window is smaller than the
			// catalog's (llama.cpp's -c, vLLM's --max-model-len): the
			// deployment's setup, and a model with a larger one may take
			// the prompt. The last model's refusal is the client's, as
			// the gateway's own (refuseContext), unless an earlier model
			// may take the prompt on a retry: then the call is the 502
			// a client retries, not a prompt it trims.
			if a.last && !a.afterOutage {
				if maxTokensTooLarge(raw) {
					// The server names the client's max_tokens, not
					// the prompt: its own 400 is the client's.
					a.writeClientError(resp.StatusCode, raw)
					return resp.StatusCode, errors.New(a.f.refusalText(resp.StatusCode, raw))
				}
				a.refuseContext(raw)
			}
			return resp.StatusCode, &retryable{unfit: true,
				msg: a.f.refusalText(resp.StatusCode, raw) + " (the prompt does not fit this server's context window)"}
		}
		if a.claudeRefusedSchema(resp.StatusCode, raw) {
			// Claude's grammar limits, past the documented subset the
			// check before routing holds the schema to: another model
			// may take it (refusedSchema).
			return resp.StatusCode, a.refusedSchema(raw)
		}
		if a.refusesGateway(resp.StatusCode, raw) {
			return resp.StatusCode, &retryable{msg: a.f.refusalText(resp.StatusCode, raw), gateway: true, quotes: true}
		}
		// Recorded with the provider's message, as a refusal that fails
		// over is: the body decided which way it went.
		a.writeClientError(resp.StatusCode, raw)
		return resp.StatusCode, errors.New(a.f.refusalText(resp.StatusCode, raw))
	case resp.StatusCode >= 300:
		// Not the provider's answer, and not the client's to follow: the
		// next model is tried, and it counts against this one's health.
		return resp.StatusCode, &retryable{msg: fmt.Sprintf(
			"HTTP %d redirect (not followed: provider keys stay with the configured host)", resp.StatusCode)}
	case resp.StatusCode < 200:
		return resp.StatusCode, &retryable{msg: fmt.Sprintf("unexpected HTTP %d", resp.StatusCode)}
	}
	if a.call.Stream {
		// Watched from the stream's first event to the client on (from
		// here for a relay): see stream_idle.go.
		a.idle = a.watchIdle(resp.Body)
		defer a.idle.stop()
		resp.Body = a.idle
	}
	if a.call.Relay != nil && a.call.Stream {
		// A replay from the client's last event may be silent for as long
		// as the model thinks: its silences are bounded by StreamIdle
		// instead, from the headers on.
		if !a.wait.stop() {
			return resp.StatusCode, a.wait.err("first event")
		}
		a.idle.arm()
	}
	if a.call.Stream && a.model.Capabilities.Reasoning && a.wireAPI() == APIChatCompletions {
		// A reasoning model's Chat Completions stream is silent while the
		// model reasons: OpenAI sends its first chunk with the answer's
		// first token, minutes later at high effort. Silence after the
		// headers is no stall there, so only the call's deadline bounds
		// it (until its first chunk goes out, StreamIdle after). (Responses and Claude streams open with an event at once;
		// stream ends a reasoning model's wait at it.)
		if !a.wait.stop() {
			return resp.StatusCode, a.wait.err("first event")
		}
	}
	if a.call.Relay != nil {
		if isEventStream(resp.Header.Get("Content-Type")) {
			return a.stream(attemptCtx, resp, hideUsage)
		}
		return a.answer(attemptCtx, resp)
	}
	// The client's SDK reads the form it asked for, whatever the
	// Content-Type: events passed to a JSON client are no answer it can
	// read. JSON to a streaming one is read whole by answer(), which fails
	// over a body that is no answer (an error object keeps its own
	// message) and writes an answer as events.
	switch {
	case !sendsEvents(resp):
		return a.answer(attemptCtx, resp)
	case a.call.Stream:
		return a.stream(attemptCtx, resp, hideUsage)
	}
	return resp.StatusCode, &retryable{msg: "wrong form: the provider answered a stream to a non-streaming request"}
}

// sendsEvents tells whether resp's body is a stream of server-sent events:
// by its Content-Type, or by its first bytes when that is missing or says
// nothing (text/plain, application/octet-stream), since some servers send
// their stream untyped. resp.Body then still yields the bytes looked at.
func sendsEvents(resp *http.Response) bool {
	ct := strings.TrimSpace(strings.ToLower(resp.Header.Get("Content-Type")))
	if isEventStream(ct) {
		return true
	}
	if ct != "" && !strings.HasPrefix(ct, "text/plain") && !strings.HasPrefix(ct, "application/octet-stream") {
		return false
	}
	br := bufio.NewReader(resp.Body)
	resp.Body = struct {
		io.Reader
		io.Closer
	}{br, resp.Body}
	// A stream may open with a byte order mark, and leading blank lines are
	// allowed in both forms; past them, `{` opens JSON and a field name or
	// a comment (`:`) opens an event. (JSON after a mark stays a failed
	// answer: JSON decoders refuse it too.)
	// (Its first byte is looked at first: a short first write that is no
	// mark is judged without waiting for more.)
	from := 1
	if b, _ := br.Peek(1); len(b) == 1 && b[0] == byteOrderMark[0] {
		if b, _ := br.Peek(len(byteOrderMark)); bytes.Equal(b, byteOrderMark) {
			from += len(byteOrderMark)
		}
	}
	for n := from; n <= 256; n++ {
		b, err := br.Peek(n)
		if len(b) < n || err != nil {
			return false // ended or failed: answer() reports how
		}
		switch b[n-1] {
		case ' ', '\t', '\r', '\n':
			continue
		case ':':
			return true
		case '{', '[':
			return false
		}
		rest, _ := br.Peek(n + 5)
		rest = rest[n-1:]
		return bytes.HasPrefix(rest, []byte("data:")) || bytes.HasPrefix(rest, []byte("event:")) ||
			bytes.HasPrefix(rest, []byte("id:")) || bytes.HasPrefix(rest, []byte("retry:"))
	}
	return false
}

func isEventStream(contentType string) bool {
	return strings.HasPrefix(strings.TrimSpace(strings.ToLower(contentType)), "text/event-stream")
}

// netRetryable is a network failure to try the next model after; what
// says how the exchange broke off ("connection error", "answer broke
// off").
func netRetryable(what string, err error) *retryable {
	shown, full := netFailure(err)
	return &retryable{msg: what + ": " + shown, full: what + ": " + full}
}

// scanRequest reads the client's body, without checking it again when the
// gateway has parsed it (Call.Checked).
func (a *attempt) scanRequest() (object, error) {
	if a.call.Checked {
		return scanValidObject(a.call.Raw)
	}
	return scanObject(a.call.Raw)
}

// request builds the provider request for the attempt's model.
func (a *attempt) request(ctx context.Context, p Provider) (*http.Request, bool, error) {
	var body requestBody
	var err error
	hideUsage := false
	api := a.call.API
	switch {
	case api == APIMessages && p.Kind == KindAnthropic:
		var obj object
		if obj, err = a.scanRequest(); err == nil {
			rewriteMessages(&obj, a.model)
			body = obj.encodeBody()
		}
	case api == APIMessages:
		// Translated, then prepared as a client's Chat Completions body.
		// The usage asked for on the client's behalf needs no hiding: the
		// translated stream reports usage the Anthropic way regardless.
		api = APIChatCompletions
		var chat chatTranslation
		if chat, err = translateMessagesToChat(a.call.Raw, a.model); err == nil {
			// Our own encoding: valid, no need to check it. The messages
			// stay in their pieces, long texts slices of the client's body.
			var obj object
			if obj, err = scanValidObject(chat.head); err == nil {
				obj.setParts("messages", chat.messages.parts)
				body, _, err = a.openAIBody(obj, api)
			}
		}
	case api == APIResponses && p.Kind == KindAnthropic:
		var b []byte
		b, err = ResponsesToAnthropic(a.call.Raw, a.model)
		body = wholeBody(b)
	case p.Kind == KindAnthropic:
		var b []byte
		b, err = ToAnthropic(a.call.Raw, a.model)
		body = wholeBody(b)
	default:
		var obj object
		if obj, err = a.scanRequest(); err == nil {
			body, hideUsage, err = a.openAIBody(obj, api)
		}
	}
	if err != nil {
		return nil, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint(p, api, a.model), body.reader())
	if err != nil {
		return nil, false, &retryable{msg: "bad provider base URL for " + p.Name}
	}
	req.ContentLength = body.size
	req.GetBody = func() (io.ReadCloser, error) { return body.reader(), nil }
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "modelrouter")
	if a.call.Stream {
		h.Set("Accept", "text/event-stream")
	}
	setKey(h, p)
	a.call.Trace.set(h)
	if p.Kind == KindAnthropic {
		a.claudeBody = body
		h.Set("anthropic-version", AnthropicVersion)
		if v := strings.TrimSpace(a.call.Version); v != "" && a.call.API == APIMessages {
			// The client wrote its body for the version it names.
			h.Set("anthropic-version", v)
		}
		if a.call.API == APIMessages {
			// Betas change what the body means; only a native call carries
			// a body they were meant for.
			for _, b := range a.call.Beta {
				if b = strings.TrimSpace(b); b != "" {
					h.Add("anthropic-beta", b)
				}
			}
		}
		withStructuredOutputsBeta(h, p, body)
	}
	return req, hideUsage, nil
}

// openAIBody is the client's OpenAI body obj (or a translation to one)
// for the attempt's model, asking a stream for its usage (withStreamUsage).
func (a *attempt) openAIBody(obj object, api API) (requestBody, bool, error) {
	rewriteOpenAI(&obj, api, a.model)
	hideUsage := false
	if a.call.Stream && api == APIChatCompletions {
		var err error
		if hideUsage, err = withStreamUsage(&obj); err != nil {
			return requestBody{}, false, err
		}
	}
	return obj.encodeBody(), hideUsage, nil
}

// setKey puts p's key where its kind expects it.
func setKey(h http.Header, p Provider) {
	if p.APIKey == "" {
		return
	}
	switch p.Kind {
	case KindAnthropic:
		h.Set("x-api-key", p.APIKey)
	case KindAzure:
		h.Set("api-key", p.APIKey)
	default:
		h.Set("Authorization", "Bearer "+p.APIKey)
	}
}

// endpoint is the URL of api at p for m.
func endpoint(p Provider, api API, m router.Model) string {
	base := p.BaseURL
	switch p.Kind {
	case KindAnthropic:
		if strings.HasSuffix(base, "/v1") {
			return base + "/messages"
		}
		return base + "/v1/messages"
	case KindAzure:
		return azureEndpoint(p, api, m)
	}
	if api == APIResponses {
		return base + "/responses"
	}
	return base + "/chat/completions"
}
