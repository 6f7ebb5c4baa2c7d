package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// streamTranslator turns a provider's events into the client's events.
type streamTranslator interface {
	// translate returns the client events for one upstream event (none to
	// drop it).
	translate(ev sseEvent) []sseEvent
	// usage is what the stream reported so far.
	usage() (router.Usage, bool)
	// complete reports whether the provider said the answer is whole.
	complete() bool
}

// streamEnder is a translator that may still owe the client its closing
// events when the provider's body ends: the copy loop calls end then
// (unless the translator is over), and end returns them when what arrived
// is a whole answer, none otherwise. The read also ends when the client
// leaves: end is called then too, and a whole answer is a delivered one,
// its closing events written to no one.
type streamEnder interface {
	end() []sseEvent
}

// streamFailer is a translator that reads a provider's in-stream error:
// its message, and whether the error event itself went to the client (so
// the copy loop adds no second one).
type streamFailer interface {
	failure() (msg string, relayed bool)
}

// streamSequencer is a translator of Responses events, which are
// numbered: errorSequence is the number the gateway's own error event
// takes (false when no numbered event went out).
type streamSequencer interface {
	errorSequence() (int, bool)
}

// streamOver is a translator whose complete() can come before the
// provider's last event (a finish reason before the usage chunk and
// [DONE]); over says the last event has come. Other translators are over
// when they are complete.
type streamOver interface {
	over() bool
}

// streamOpener is a translator that holds the events before its answer
// begins (heldOpening): passOpening returns them and holds none after.
type streamOpener interface {
	passOpening() []sseEvent
}

// passOpening is what tr held, to go out now, and nothing is held after.
func passOpening(tr streamTranslator) []sseEvent {
	if o, ok := tr.(streamOpener); ok {
		return o.passOpening()
	}
	return nil
}

// isOver reports whether the provider has sent its last event: the copy
// loop stops reading then, so a provider that keeps its connection open
// cannot hold the client's answer open (SDKs read a stream to its end).
func isOver(tr streamTranslator) bool {
	if o, ok := tr.(streamOver); ok {
		return o.over()
	}
	return tr.complete()
}

// translator picks the stream translation for the provider and the
// client's API.
func (a *attempt) translator(hideUsage bool) streamTranslator {
	native := a.provider.Kind == KindAnthropic
	switch {
	case a.call.API == APIMessages && native:
		return newMessagesPassStream(a.model)
	case a.call.API == APIMessages:
		tr := newChatMessagesStream(a.model)
		tr.request = a.call.Raw
		return tr
	case a.call.API == APIResponses && native:
		tr := newResponsesAnthropicStream(a.model, a.responseSettings())
		tr.keep = a.keep
		return tr
	case native:
		return newAnthropicStream(a.model, clientWantsUsage(a.call.Raw))
	}
	tr := newOpenAIStream(a.model, hideUsage)
	if a.call.API == APIChatCompletions {
		tr.choices = choicesAsked(a.call.Raw)
		// The gateway asks for usage whenever the client did not, and
		// then hides it (withStreamUsage): hideUsage is the client's no.
		tr.usageAsked = !hideUsage && a.call.Relay == nil
	}
	// A relay's provider is the only one with the answer: its error is
	// the client's, whenever it comes.
	tr.failover = a.call.Relay == nil
	if a.call.API == APIResponses {
		// A relay (a background answer's events read back) names it
		// only where the provider's objects name none, as its JSON read
		// does (relayAnswer).
		tr.continues, tr.continuesIfNull = a.continuesJSON(), !tr.failover
	}
	if tr.failover && a.call.API == APIResponses {
		tr.forgets = a.forgotPrevious
		tr.keeps = a.keepsAnswerOf
		tr.keep = func(id string, output, whole json.RawMessage) {
			a.call.Keep(Kept{ID: id, Model: a.model, Output: output, Response: whole})
		}
	}
	return tr
}

// stream copies an event stream to the client event by event, flushing
// each, rewriting `model` and reading usage on the side. The status and
// headers wait for the first event, so a stream that fails before it can
// still fail over. ctx is the attempt's: writes to the client end soon
// after it (the call's deadline before the first event, the stream's
// silence limit after it), so a client that stopped reading cannot hold
// the call.
func (a *attempt) stream(ctx context.Context, resp *http.Response, hideUsage bool) (int, error) {
	tr := a.translator(hideUsage)
	streamed := 0 // tokens of answer text the provider sent (TextTokens)
	if e, ok := tr.(interface{ estimateWith(func() router.Usage) }); ok {
		// A translated stream whose provider reports no usage tells its
		// client what the log bills: the estimate, of the text so far.
		e.estimateWith(func() router.Usage { return a.estimate(streamed) })
	}
	defer a.boundWrites(ctx)()
	defer func() {
		if !a.out.Wrote {
			// Nothing went out: the attempt failed over (or the client
			// left first) and billed nothing, so the usage it reported
			// (Claude's message_start) is not the call's.
			return
		}
		a.out.Usage, _ = tr.usage()
		a.out.TextTokens = streamed
		// Anthropic sends the answer's final usage before message_stop:
		// a stream cut after it has billed what it says.
		f, ok := tr.(interface{ usageFinal() bool })
		a.out.Whole = tr.complete() || ok && f.usageFinal()
		if it, ok := tr.(interface{ itemIDs() []string }); ok {
			a.out.ItemIDs = it.itemIDs()
		}
		if e, ok := tr.(interface {
			ended() (router.Usage, string, bool)
		}); ok {
			a.out.EndedUsage, a.out.EndedStatus, a.out.Ended = e.ended()
		}
	}()
	sw := &streamWriter{a: a, status: resp.StatusCode}
	sw.flusher, _ = a.w.(http.Flusher)
	sw.begins = func() {
		// The stream can no longer fail over, and what bounds it now is
		// its silences, not the call's deadline.
		a.deadline.lift()
		a.idle.arm()
	}
	rd := newSSEReader(resp.Body)
	// Keep-alives do not restart the silence limit; SSE comments never
	// reach the loop (sseReader drops them), pings are told apart below.
	a.idle.byEvents()
	var text []byte // an event's answer text, counted into TextTokens
	// begun: the attempt timeout is over (answerWait). forward ends it at
	// the headers for a relay and a reasoning model's Chat Completions
	// stream.
	begun := a.wait.ended()
	opened := false // an event other than a keep-alive came
	// A reasoning model's Responses or Claude stream opens at once and
	// may then be silent for as long as the model reasons: its opening
	// ends the attempt timeout, not its answer's first event. Once the
	// timeout is over nothing is held (heldOpening.passOn): the client
	// gets the opening as it comes, and with it the status and headers.
	wire := a.wireAPI()
	openingEnds := a.model.Capabilities.Reasoning && (wire == APIResponses || wire == APIMessages)
	if begun {
		passOpening(tr) // nothing came yet, so nothing was held
	}
	for {
		ev, err := rd.next()
		if err != nil {
			if a.wait.expired() {
				return a.endStalled(resp.StatusCode, opened)
			}
			if a.call.Relay != nil && errors.Is(err, io.EOF) {
				// A replay ends where the provider ends it: after a
				// cancelled answer, or with no events at all when the
				// client already had the last one.
				if !a.out.Wrote {
					a.writeHead(resp.StatusCode, "text/event-stream")
				}
				return resp.StatusCode, nil
			}
			if e, ok := tr.(streamEnder); ok && !isOver(tr) {
				// A client that left once the answer was whole (Claude's
				// stop reason came) had it, as one that leaves after
				// the finish reason does: nothing more is written to it.
				left := a.clientCtx.Err() != nil && !a.writesCut.Load()
				if outs := e.end(); len(outs) > 0 && !left && sw.write(outs) != nil {
					return a.breakStream(tr, a.writeFailure(), true)
				}
			}
			// Once the provider has said the answer is whole, how its body
			// ends does not matter: a client that read to the end and hung
			// up cancels the upstream read before the provider closes, and
			// that is a delivered answer, not a client that left. Unless
			// the stream still owes the usage chunk asked for (by the
			// client, or by the gateway for a Messages client's
			// message_delta) and never sent [DONE]: then the provider
			// cut it after the finish reason.
			if tr.complete() {
				if o, ok := tr.(interface{ usageOwed() bool }); ok && o.usageOwed() && a.out.Wrote && !a.clientLeft(err) {
					return a.breakStream(tr, "stream ended after the finish reason, before its usage chunk or [DONE]", true)
				}
				return resp.StatusCode, nil
			}
			return a.endBroken(tr, resp.StatusCode, err)
		}
		if sw.firstByte == 0 {
			sw.firstByte = time.Since(a.start)
		}
		content := !keepAlive(ev)
		if content {
			a.idle.progress()
		}
		var n int
		text, n = a.f.streamedTokens(text, ev.data)
		streamed += n
		opened = opened || content
		var outs []sseEvent
		if !begun && openingEnds && opened {
			begun = true
			if !a.wait.stop() {
				return a.endStalled(resp.StatusCode, opened)
			}
			// Nothing is held yet (keep-alives are not, see
			// heldOpening.hold): this ends the holding, so the
			// opening goes out as it comes.
			outs = passOpening(tr)
		}
		outs = append(outs, a.redactRelayed(tr, tr.translate(ev))...)
		if !begun && len(outs) > 0 {
			// The client's first event: the stream can no longer fail
			// over, so the attempt timeout, which exists to fail over,
			// ends here; only the stream's silences cut it now
			// (streamWriter.write lifts the call's deadline).
			// Until then (keep-alives, and the events held before the
			// answer begins: a Responses stream's response.created, a Chat
			// chunk with only the role, Claude's message_start, Azure's
			// prompt filter chunk) a stall still moves to the next model.
			begun = true
			if !a.wait.stop() {
				return a.endStalled(resp.StatusCode, opened)
			}
		}
		if sw.write(outs) != nil {
			return a.breakStream(tr, a.writeFailure(), true)
		}
		if isOver(tr) {
			if tr.complete() || a.call.Relay != nil {
				return resp.StatusCode, nil
			}
			if f, ok := tr.(interface{ withoutConversation() bool }); ok && f.withoutConversation() && !a.out.Wrote {
				return resp.StatusCode, a.forgotten("answered without the conversation previous_response_id names")
			}
			if j, ok := tr.(interface{ unreadableJob() bool }); ok && j.unreadableJob() && !a.out.Wrote {
				return resp.StatusCode, a.runsNoBackground(unreadableJobText)
			}
			// The provider ended an answer it says failed ([DONE] after
			// its error, response.failed): a broken stream, not a success
			// (a replay, as below, ends where the provider ends it).
			return a.endBroken(tr, resp.StatusCode, io.EOF)
		}
	}
}

// redactRelayed removes provider keys from the events once the
// provider's own error event is being passed to the client: an upstream
// may echo the key in it, as in an error body (see clientErrorBody). Only
// a stream that failed pays for the search.
func (a *attempt) redactRelayed(tr streamTranslator, outs []sseEvent) []sseEvent {
	f, ok := tr.(streamFailer)
	if !ok {
		return outs
	}
	if _, relayed := f.failure(); !relayed {
		return outs
	}
	for i, o := range outs {
		if r := a.f.redact(string(o.data)); r != string(o.data) {
			outs[i].data = []byte(r)
		}
	}
	return outs
}

// streamWriteGrace is how long writes to the client may still take once
// the attempt's context has ended: enough for the error event that ends
// the stream to reach a client that reads.
const streamWriteGrace = time.Second

// boundWrites ends the client's writes streamWriteGrace after ctx. The
// server has no write timeout (answers stream for minutes), and ctx's end
// stops only the upstream read: a client that stops reading would
// otherwise hold the call, its log row and its settlement for as long as
// it keeps its connection. The returned func, called when the stream is
// done, lifts the deadline for the connection's next request. Writers
// that cannot take a deadline are left as they are.
func (a *attempt) boundWrites(ctx context.Context) (release func()) {
	rc := http.NewResponseController(a.w)
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		if a.clientCtx.Err() == nil {
			a.writesCut.Store(true)
		}
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteGrace))
	})
	return func() {
		if !stop() {
			<-fired
			_ = rc.SetWriteDeadline(time.Time{})
		}
	}
}

// endStalled ends a stream whose answer did not begin within the attempt
// timeout: a failed attempt, and since the timeout ends at the client's
// first event, nothing went out, so the next model is tried. opened says
// the provider had sent events before it stalled (held, none an answer's).
func (a *attempt) endStalled(status int, opened bool) (int, error) {
	if opened {
		return status, a.wait.err("answer begun")
	}
	return status, a.wait.err("first event")
}

// errClientClosed is an attempt the client ended by leaving.
var errClientClosed = errors.New("client closed the request")

// clientLeft reports whether the provider's body stopped (err) because the
// client left, whose leaving ends the upstream read, rather than because
// the provider broke it off: the attempt then says the client closed the
// request, as the call's 499 does, not "stream broke off: context
// canceled" under the provider's 200, which blamed the provider.
func (a *attempt) clientLeft(err error) bool {
	return err != nil && !errors.Is(err, io.EOF) && a.clientCtx.Err() != nil && !a.writesCut.Load()
}

// errCutAtShutdown is an attempt the gateway's shutdown ended.
var errCutAtShutdown = errors.New("cut at shutdown")

// endedHere is how an attempt ended whose request or provider body
// stopped (err) before anything went out, when the call, not the
// provider, stopped it:
// the client left (499), or the grace of a shutdown ran out (503, as a
// stream cut under way is logged, cutAtShutdown), rather than "broke off:
// context canceled", which blamed the provider, in the decision log and in
// the 503 that names each model's outcome. A nil error: the provider's.
func (a *attempt) endedHere(err error) (int, error) {
	switch {
	case a.clientLeft(err):
		return 499, errClientClosed
	case errors.Is(err, context.Canceled) && a.f.draining():
		return http.StatusServiceUnavailable, errCutAtShutdown
	}
	return 0, nil
}

// endBroken ends a stream that stopped (err: how the body ended) before
// the answer was whole: the next model is tried when nothing went out yet.
func (a *attempt) endBroken(tr streamTranslator, status int, err error) (int, error) {
	if !a.out.Wrote {
		// The events before the answer (the role chunk, message_start,
		// response.created) were held when the call itself ended.
		if status, ended := a.endedHere(err); ended != nil {
			return status, ended
		}
	}
	cause := "stream ended before the answer was complete"
	if !a.out.Wrote {
		cause = "stream ended before any answer"
	}
	full := "" // the operator's text of cause, when the client's leaves out an address
	if !errors.Is(err, io.EOF) {
		broken := netRetryable("stream broke off", err)
		cause, full = broken.msg, broken.full
		switch {
		case !a.out.Wrote || !a.followsBackground(tr):
		case a.idle.cut():
			// The provider broke nothing: the gateway's silence limit
			// ended the stream (the job may wait in the provider's
			// queue), and the job goes on.
			cause = "stream ended after nothing for " + a.idle.limit.String() +
				", the gateway's stream idle limit; " + readOnByID
		case gatewayDeadline(err):
			cause = "stream ended at the gateway's " + a.f.deadline().String() + " call deadline; " + readOnByID
		}
	}
	relayed, quotes := false, false
	if f, ok := tr.(streamFailer); ok {
		var msg string
		if msg, relayed = f.failure(); msg != "" {
			cause, full, quotes = "sent an error: "+a.f.shownMessage(msg), "", true
		}
	}
	if !a.out.Wrote {
		return status, &retryable{msg: cause, full: full, quotes: quotes}
	}
	status, broke := a.breakStream(tr, cause, !relayed)
	if full != "" && broke != nil && broke.Error() == cause {
		// Broken by the provider, not left by the client: the decision
		// log keeps the network error's own text.
		broke = &failure{msg: cause, full: full}
	}
	return status, broke
}

// streamWriter writes translated events to the client, flushing each
// batch. The status and headers go out with the first batch, whose first
// event also carries the details.
type streamWriter struct {
	a         *attempt
	status    int
	flusher   http.Flusher
	firstByte time.Duration
	buf       []byte
	// begins, when set, is called before the first batch goes out: a
	// provider's stream lifts the call's deadline there (a whole answer
	// written as events keeps it, as a JSON answer does).
	begins func()
}

func (sw *streamWriter) write(outs []sseEvent) error {
	if len(outs) == 0 {
		return nil
	}
	a := sw.a
	if !a.out.Wrote {
		if sw.begins != nil {
			sw.begins()
		}
		if details := a.detailsJSON(sw.status); details != nil {
			outs[0].data = addMember(outs[0].data, "model_selection_details", details)
		}
		a.writeHead(sw.status, "text/event-stream")
		a.out.FirstByte = sw.firstByte
	}
	sw.buf = sw.buf[:0]
	for _, o := range outs {
		sw.buf = o.appendTo(sw.buf)
	}
	if _, err := a.w.Write(sw.buf); err != nil {
		return err
	}
	if sw.flusher != nil {
		sw.flusher.Flush()
	}
	return nil
}

// writeFailure is the cause of a failed write to the client.
func (a *attempt) writeFailure() string {
	switch {
	case a.writesCut.Load() && a.idle.cut():
		return "stream cut off after " + a.idle.limit.String() + " without progress: the client was not reading it"
	case a.writesCut.Load():
		return "stream cut off at the call's deadline: the client was not reading it"
	}
	return "client write failed"
}

// breakStream ends a stream that broke off after bytes went out: the
// client gets an error event (unless it is the one that left, or notify
// is false because the provider's own error event already reached it)
// and the outcome says 502 (499 when the client left).
func (a *attempt) breakStream(tr streamTranslator, cause string, notify bool) (int, error) {
	// A write that failed at the call's deadline cancels the client's
	// context too (net/http does on a write error): that client did not
	// leave.
	if a.clientCtx.Err() != nil && !a.writesCut.Load() {
		if tr.complete() {
			// The provider had sent the whole answer; only what closes
			// the client's stream was lost, as when the read notices
			// first (stream).
			return a.out.Status, nil
		}
		a.out.Status = 499
		a.out.Err = router.Errorf(router.EUpstream, "client closed the request")
		return 499, errClientClosed
	}
	if a.f.draining() && notify {
		// Cut by the shutdown, not by the provider; a stream the provider
		// already ended with its own error event keeps that account.
		return a.cutAtShutdown(tr)
	}
	msg := a.f.redact("upstream " + modelID(a.model) + " " + cause)
	if notify {
		a.writeStreamError(msg, "upstream_error", "upstream_stream_interrupted", tr)
	}
	a.out.Status = http.StatusBadGateway
	a.out.Err = router.Errorf(router.EUpstream, "%s", msg)
	return http.StatusBadGateway, errors.New(cause)
}

// writeStreamError sends the client's API's form of a stream error: typ
// is the OpenAI error type, code the error's code.
func (a *attempt) writeStreamError(msg, typ, code string, tr streamTranslator) {
	ev := sseEvent{data: openAIError(msg, typ, code)}
	switch a.call.API {
	case APIResponses:
		// The Responses API's own error event, which its SDKs surface,
		// numbered as the translator says (clients order and resume by
		// sequence_number).
		ev.name = "error"
		fields := map[string]any{"type": "error", "code": code, "message": msg, "param": nil}
		if sq, ok := tr.(streamSequencer); ok {
			if n, ok := sq.errorSequence(); ok {
				fields["sequence_number"] = n
			}
		}
		ev.data, _ = json.Marshal(fields)
	case APIMessages:
		// Anthropic's error event, which its SDKs raise as an API error.
		ev.name = "error"
		ev.data = anthropicError("api_error", msg)
	}
	_, _ = a.w.Write(ev.appendTo(nil))
	if flusher, ok := a.w.(http.Flusher); ok {
		flusher.Flush()
	}
}

// addMember adds key to a JSON object event; other data is left alone.
func addMember(data []byte, key string, value json.RawMessage) []byte {
	obj, err := parseObject(data)
	if err != nil {
		return data
	}
	obj[key] = value
	return encodeObject(obj)
}

// clientWantsUsage reads stream_options.include_usage from the client's
// body.
func clientWantsUsage(raw []byte) bool {
	var body struct {
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	_ = json.Unmarshal(raw, &body)
	return body.StreamOptions.IncludeUsage
}

// openAIStream passes OpenAI-compatible events (Chat Completions chunks
// and Responses events) through with `model` rewritten.
type openAIStream struct {
	model json.RawMessage
	// hideUsage drops the usage we asked for on the client's behalf.
	hideUsage bool
	u         router.Usage
	hasUsage  bool
	// done: the answer is whole (a finish reason may come before the
	// usage chunk); last: the provider's last event has come.
	done, last bool
	// errMsg is the provider's in-stream error; relayed says it went to
	// the client, which then needs no second one of ours.
	errMsg  string
	relayed bool
	// failover: another model may answer, so an error before anything
	// was sent is not passed on, and neither is what comes before the
	// answer begins.
	failover bool
	// begun: the answer began (a chunk with a choice that carries more
	// than the role, a Responses response.* event past the opening ones);
	// held are the events before it (Azure's chunk of prompt filter
	// results, which has no choice, the role chunk, response.created),
	// sent with its first.
	begun bool
	held  heldOpening
	// seq follows a Responses stream's last sequence_number.
	seq     int
	seqSeen bool
	// background: the stream is a background response's, which goes on
	// at the provider whatever becomes of this stream.
	background bool
	// usageAsked: the Chat Completions client asked for usage
	// (include_usage), so a stream that ends after the finish reasons
	// without the usage chunk or [DONE] was cut before its end
	// (usageOwed).
	usageAsked bool
	// choices is how many choices a Chat Completions call asked for (n);
	// finished holds those whose finish_reason came. Each finishes on
	// its own, so the answer is whole once all have.
	choices  int
	finished map[int]bool
	// items are the ids of a Responses stream's output items, in the
	// order they came.
	items []string
	// endUsage is the usage of the response an event said is over
	// (endedUsage); hasEnd says one did.
	endUsage router.Usage
	hasEnd   bool
	// endedAs is how the response an event said is over ended
	// (overStatus), with or without its usage.
	endedAs string
	// forgets, on a Responses call, reads the first response object's
	// previous_response_id (attempt.forgotPrevious); forgot says it
	// caught an answer without the call's conversation, which ends the
	// stream before anything of it goes out.
	forgets func(named json.RawMessage) bool
	// continues is the kept answer a continuation's rebuilt conversation
	// continues (Call.Continues, a JSON string), which every response
	// object names as its previous_response_id; nil for none.
	continues json.RawMessage
	// continuesIfNull: a relayed read names continues only where the
	// provider's object names none (relayNamesContinued).
	continuesIfNull bool
	answered        bool // a response object came
	forgot          bool
	// lostJob says the first response object was a background job its
	// server keeps nothing of (runningJob, unstored), which ends the
	// stream before anything of it goes out, as forgot does.
	lostJob bool
	// unstored: a response object said "store": false, so its items
	// name nothing the provider keeps (itemIDs).
	unstored bool
	// keeps reads the first response object's "store" member
	// (attempt.keepsAnswerOf); when it takes the answer, keptID is the
	// id every response object goes out with, and keep is handed the
	// answer at its end, before the end goes out.
	keeps  func(store, background, status []byte) bool
	keep   func(id string, output, whole json.RawMessage)
	keptID json.RawMessage
	// keptItems gives the kept answer's items the gateway's ids.
	keptItems *keptItems
}

// errorSequence is the number of the provider's last event: the numbers
// are the provider's, and a background answer's next event will take the
// next one, so the gateway's error event must not. A client that resumes
// after the last number it got (GET /v1/responses/{id}?stream=true&
// starting_after=N), the error's included, then gets every event after
// the last one it had, none twice.
func (s *openAIStream) errorSequence() (int, bool) { return s.seq, s.seqSeen }

func (s *openAIStream) backgroundResponse() bool { return s.background }

func newOpenAIStream(m router.Model, hideUsage bool) *openAIStream {
	model, _ := json.Marshal(modelID(m))
	return &openAIStream{model: model, hideUsage: hideUsage, choices: 1, finished: map[int]bool{}}
}

// choicesAsked is the n of a Chat Completions body: how many choices its
// stream carries, 1 when it sets none. The body's members are skipped
// over, not decoded: a long conversation's body is megabytes, and this
// runs for every streamed attempt.
func choicesAsked(raw []byte) int {
	obj, ok := jsonscan.ParseObject(raw)
	if !ok {
		return 1
	}
	var n int
	if v := obj.Get("n"); v == nil || json.Unmarshal(v, &n) != nil || n < 1 {
		return 1
	}
	return n
}

func (s *openAIStream) itemIDs() []string {
	if s.unstored || s.keptID != nil {
		return nil
	}
	return s.items
}
func (s *openAIStream) ended() (router.Usage, string, bool) {
	return s.endUsage, s.endedAs, s.hasEnd
}
func (s *openAIStream) usage() (router.Usage, bool) { return s.u, s.hasUsage }
func (s *openAIStream) complete() bool              { return s.done && s.errMsg == "" }
func (s *openAIStream) over() bool                  { return s.last }
func (s *openAIStream) failure() (string, bool)     { return s.errMsg, s.relayed }
func (s *openAIStream) withoutConversation() bool   { return s.forgot }
func (s *openAIStream) unreadableJob() bool         { return s.lostJob }

// usageOwed reports a stream whose answer is whole (every finish reason
// came) but that still owes the client the usage it asked for: neither a
// usage count nor [DONE], which a server that ignores include_usage ends
// with, came after it.
func (s *openAIStream) usageOwed() bool { return s.usageAsked && !s.hasUsage && !s.last }

func (s *openAIStream) translate(ev sseEvent) []sseEvent {
	out := s.pass(ev)
	if !s.failover || s.held.passed {
		return out
	}
	switch {
	case s.errMsg != "":
		// The provider failed before anything of an answer went out:
		// its error, and what ends the stream after it, are dropped so
		// the stream ends unanswered and the next model can answer.
		s.relayed = false
		s.held.drop()
		return nil
	case !s.begun && s.last:
		// Nothing of an answer: a stream that ends here ([DONE]
		// alone, or after chunks with no choice or only the role) is
		// none, and the next model can still answer.
		return nil
	case !s.begun && s.held.hold(out):
		return nil
	}
	return s.held.release(out)
}

// pass is one event as it goes to the client, its model renamed and its
// usage, end and error read.
func (s *openAIStream) pass(ev sseEvent) []sseEvent {
	if string(ev.data) == "[DONE]" {
		// Some servers end a failed generation with an error chunk and
		// then [DONE]: the stream is over, the answer not whole. Nor is
		// it when no answer began (a relay's replay ends where it ends).
		s.done, s.last = s.errMsg == "" && (s.begun || !s.failover), true
		return []sseEvent{ev}
	}
	obj, err := parseObject(ev.data)
	if err != nil {
		return []sseEvent{ev}
	}
	if !s.begun {
		// The usage chunk with no choice (include_usage) comes after the
		// answer; one before it carries nothing of one, and neither does
		// the chunk with only the role that opens the answer.
		_, choice := jsonArray(obj["choices"])
		s.begun = choice && !chatOpening(obj["choices"]) ||
			bytes.HasPrefix(obj["type"], []byte(`"response.`)) && !responseOpening(obj["type"])
	}
	if msg, ok := streamErrorMessage(obj); ok {
		s.errMsg, s.relayed = msg, true
		if e := obj["error"]; len(e) > 0 && e[0] == '"' {
			// TGI's bare string: OpenAI's SDKs read an error chunk's
			// message from an object, and show "An error occurred during
			// streaming" without one.
			obj["error"] = openAIErrorMember(msg, obj["error_type"])
			delete(obj, "error_type")
		}
		// Nothing of an answer follows a Chat chunk's error: waiting
		// for more would hold the call on a server that keeps its
		// connection open. A Responses error event is followed by
		// response.failed, which the client is owed; a relay ends where
		// its provider ends it.
		_, responsesEvent := obj["type"]
		s.last = s.last || s.failover && !responsesEvent
	}
	if _, ok := obj["model"]; ok {
		obj["model"] = s.model
	}
	if c := stringContents(obj["choices"], "delta"); c != nil {
		obj["choices"] = c
	}
	if raw, ok := obj["sequence_number"]; ok {
		if n, err := strconv.Atoi(string(raw)); err == nil {
			s.seq, s.seqSeen = n, true
		}
	}
	if s.keptItems != nil {
		s.keptItems.event(obj)
	}
	if raw, ok := obj["item"]; ok {
		// output_item.added and .done: the item's id goes to the client.
		if id := itemID(raw); id != "" && !slices.Contains(s.items, id) {
			s.items = append(s.items, id)
		}
	}
	// Responses events carry the response object (created, completed...).
	if raw, ok := obj["response"]; ok {
		resp, err := parseObject(raw)
		if err == nil && s.readState(resp) {
			// Dropped with the rest (translate): the client gets the
			// next model's answer, or the call's error.
			return nil
		}
		if err == nil {
			if _, ok := resp["model"]; ok {
				resp["model"] = s.model
			}
			if s.continues != nil && (!s.continuesIfNull || relayNamesContinued(resp["previous_response_id"])) {
				resp["previous_response_id"] = s.continues
			}
			// A background response exists once the provider has opened
			// it, and it runs (and bills) whatever becomes of this stream;
			// it may then stay queued for minutes. Failing over would
			// leave it running with an id the client never got, so its
			// opening begins the answer: it goes out at once and the
			// attempt timeout ends with it.
			s.background = s.background || string(resp["background"]) == "true"
			s.begun = s.begun || s.background
			s.sniff(resp["usage"], resp["service_tier"])
			// response.completed's output has every item the answer ran,
			// its web searches too, which its usage does not count.
			n := webSearchCalls(resp["output"])
			preview := n > 0 && searchedByPreview(resp["tools"])
			if n > 0 && s.hasUsage {
				s.u.WebSearches, s.u.WebSearchPreview = n, preview
			}
			if st := overStatus(resp["status"]); st != "" {
				s.endedAs = st
			}
			if u, ok := endedWith(resp["status"], resp["usage"], resp["service_tier"]); ok {
				u.WebSearches, u.WebSearchPreview = u.WebSearches+n, preview
				s.endUsage, s.hasEnd = u, true
			}
			obj["response"] = encodeObject(resp)
		}
		var typ string
		_ = json.Unmarshal(obj["type"], &typ)
		switch typ {
		case "response.completed", "response.incomplete":
			s.done, s.last = true, true
			if s.keptID != nil && err == nil {
				s.keep(string(s.keptID[1:len(s.keptID)-1]), resp["output"], obj["response"])
			}
		case "response.failed":
			// Over, but no answer: the client has the provider's own
			// account of it in this event.
			s.last, s.relayed = true, true
			if s.errMsg == "" {
				s.errMsg = "response failed"
				if msg, ok := streamErrorMessage(resp); ok {
					s.errMsg = msg
				}
			}
		}
	}
	last := false
	if raw, ok := obj["usage"]; ok {
		s.sniff(raw, obj["service_tier"])
		// The usage-only chunk after the finish reason (include_usage,
		// always asked for) is the last event, [DONE] or not. It comes
		// after every choice (also from a server that ignores n and
		// answers one), so the answer is whole.
		last = (s.done || len(s.finished) > 0) && string(raw) != "null" && string(obj["choices"]) == "[]"
		s.done = s.done || last
		if s.hideUsage {
			delete(obj, "usage")
			if string(obj["choices"]) == "[]" {
				return s.closing(last, nil) // the usage-only chunk the client did not ask for
			}
		}
	}
	if s.finishes(obj["choices"]) {
		// Some OpenAI-compatible servers end without [DONE]; a finish
		// reason for every choice is enough to call the answer whole.
		s.done = true
	}
	ev.data = encodeObject(obj)
	return s.closing(last, []sseEvent{ev})
}

// closing ends the stream after its last event with [DONE], which the
// gateway then does not wait for: a server that sends none and keeps its
// connection open cannot hold the client's stream open, and the client
// gets its [DONE] either way.
func (s *openAIStream) closing(last bool, out []sseEvent) []sseEvent {
	if !last {
		return out
	}
	s.last = true
	return append(out, sseEvent{data: []byte("[DONE]")})
}

// sniff reads a usage object and the tier its event says served the
// answer (Chat chunks and Responses' response objects carry both).
func (s *openAIStream) sniff(raw, tier json.RawMessage) {
	if u, ok := parseUsage(raw); ok {
		s.u, s.hasUsage = withTier(u, tier), true
	}
}

// finishes notes the choices that chunk's choices finish, and reports
// whether every choice asked for has finished.
func (s *openAIStream) finishes(choices json.RawMessage) bool {
	if len(choices) < 3 {
		return false
	}
	var cs []struct {
		Index        int     `json:"index"`
		FinishReason *string `json:"finish_reason"`
	}
	if json.Unmarshal(choices, &cs) != nil {
		return false
	}
	for _, c := range cs {
		if c.FinishReason != nil && *c.FinishReason != "" {
			s.finished[c.Index] = true
		}
	}
	return len(s.finished) >= s.choices
}

// streamErrorMessage reads a provider's in-stream error: a Chat
// Completions {"error":{...}} chunk (or TGI's {"error": "...",
// "error_type": "..."}, its message a bare string), a Responses `error`
// event (its message at the top level), or a failed response's `error`
// member.
func streamErrorMessage(obj map[string]json.RawMessage) (string, bool) {
	var msg string
	if raw, ok := obj["error"]; ok && string(raw) != "null" {
		var e errorMember
		_ = json.Unmarshal(raw, &e)
		msg = e.Message
	} else if string(obj["type"]) == `"error"` {
		_ = json.Unmarshal(obj["message"], &msg)
	} else {
		return "", false
	}
	if msg == "" {
		msg = "error"
	}
	return msg, true
}
