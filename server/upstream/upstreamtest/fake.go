// Package upstreamtest runs fake LLM providers on 127.0.0.1 for tests: an
// OpenAI-compatible server (Chat Completions, Responses, Azure deployment
// paths) and an Anthropic Messages server. They speak the real wire formats,
// streaming and not, echo the model they were asked for, record every request
// and misbehave on demand (fail, stall, cut a stream, delay) per model name.
//
// Token usage is deterministic: prompt tokens are the number of words in the
// request's text, completion tokens the number of words in the reply.
package upstreamtest

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Behavior is how a fake answers requests for one model name. The zero value
// answers "Hello from <model>." at once.
type Behavior struct {
	// Reply is the answer text; empty means "Hello from <model>.".
	Reply string
	// FailStatus, when set, makes the fake answer with this HTTP status and
	// the provider's error shape (FailBody, when set, replaces the body
	// verbatim, e.g. to send a non-JSON error page).
	FailStatus int
	FailBody   string
	// FailHeader is sent with each forced failure (a 429's Retry-After).
	FailHeader http.Header
	// FailTimes limits the failures to the first N requests for the model;
	// 0 means fail every time.
	FailTimes int
	// Stall blocks until the request's context is cancelled (the client gave
	// up or disconnected). With StallAfter > 0 on a streaming request the
	// fake first sends StallAfter events, then stalls.
	Stall      bool
	StallAfter int
	// KeepAliveEvery, with Stall and StallAfter, sends a keep-alive every
	// KeepAliveEvery while the stream stalls, as providers do while a
	// model is slow: the Anthropic fake its `event: ping`, the OpenAI fake
	// an SSE comment (`: keep-alive`) on Chat Completions and a numbered
	// {"type":"keepalive"} event on Responses. Nothing of the answer
	// follows.
	KeepAliveEvery time.Duration
	// HoldOpen keeps a streaming answer's connection open after its last
	// event until the request is cancelled, as a provider whose connection
	// lingers after the answer does: the end of the answer is then only
	// known from its events, never from the end of the body.
	HoldOpen bool
	// CutAfter > 0 aborts the connection of a streaming answer after that
	// many events, without the closing event; CutAfter < 0 aborts it right
	// after the headers, before any event.
	CutAfter int
	// EndAfter > 0 ends a streaming answer after that many events the way
	// a whole body ends (no abort, no error), without the events that
	// close the answer: a provider, or a proxy before it, that closed the
	// stream too soon but cleanly.
	EndAfter int
	// Delay waits before the response headers (the context still wins).
	Delay time.Duration
	// Gate, when set, holds each request after its Delay, before its
	// answer or forced failure, until Gate is closed (the context still
	// wins): calls sent at once are all under way together, then all go
	// on as their behaviour says.
	Gate <-chan struct{}
	// Pace waits before each event of a streaming answer after the first
	// (the context still wins): a long answer that keeps coming, slowly.
	Pace time.Duration
	// ReasoningTokens and CachedTokens are reported in usage details.
	// CacheWriteTokens are the Anthropic fake's cache_creation_input_tokens
	// (OpenAI reports no cache writes). Anthropic's cache reads and writes
	// come beside input_tokens, OpenAI's cached tokens are part of
	// prompt_tokens, as the providers report them. On the OpenAI fake's
	// Chat Completions, CacheWriteTokens make its usage LiteLLM's in front
	// of Claude: cache_creation_input_tokens and cache_read_input_tokens
	// (CachedTokens) beside a prompt_tokens that counts both.
	ReasoningTokens  int
	CachedTokens     int
	CacheWriteTokens int
	// CacheWrite1hTokens, when set, are those of CacheWriteTokens the
	// Anthropic fake wrote to its 1-hour cache: its usage then splits the
	// writes in cache_creation, as Anthropic's does, and its stream's
	// message_delta repeats the input counts without the split, as
	// Anthropic's does.
	CacheWrite1hTokens int
	// WebSearches, when set, are the searches the fake says its web search
	// tool ran for the answer: the Anthropic fake's
	// server_tool_use.web_search_requests in its usage (and a stream's
	// message_delta), the OpenAI fake's web_search_call items at the head
	// of a Responses answer's output, as each provider reports them.
	WebSearches int
	// ToolCall, when set, makes the answer a call of this tool instead of
	// text; with TextFirst the reply text comes before the call, as from a
	// model that says what it is about to do.
	ToolCall  *ToolCall
	TextFirst bool
	// MessageID, when set, is the Anthropic fake's message id on every
	// answer (message_start's too), as from a proxy or a server of one's
	// own that repeats its ids.
	MessageID string
	// FinishReason, when set, replaces the OpenAI fake's finish_reason
	// ("length", "content_filter"...); StopReason the Anthropic fake's
	// stop_reason ("max_tokens", "refusal"...).
	FinishReason string
	StopReason   string
	// StopDetails, when set, is the Anthropic fake's stop_details beside
	// its stop_reason, in the answer and in a stream's message_delta
	// delta, as Anthropic explains a refusal ({"type": "refusal",
	// "category": ..., "explanation": ...}).
	StopDetails map[string]any
	// NoText leaves the reply text out of the Anthropic fake's answer, as
	// from a Claude refused before it wrote anything.
	NoText bool
	// Thinking, when set, makes the Anthropic fake answer with a signed
	// thinking block of this text before the rest, as Claude does with
	// extended thinking on. On the OpenAI fake's Chat Completions it makes
	// content a list of parts, as Mistral's reasoning models answer: a
	// thinking part (its text in a list of text chunks) before a text part
	// with the reply; streamed, each delta's content is such a list, the
	// thinking's in one, then one text part per word. On its Responses it
	// opens the output with a reasoning item (rs_fake_N) whose summary is
	// this text. Its words are not counted as output tokens.
	Thinking string
	// NoDone ends an OpenAI chat stream after its last chunk without
	// "data: [DONE]", as some OpenAI-compatible servers do, and an
	// Anthropic stream after its message_delta (stop reason and usage)
	// without message_stop; NoStreamUsage
	// leaves out its usage chunk even when stream_options asks for it, as
	// servers that ignore stream_options do.
	NoDone        bool
	NoStreamUsage bool
	// NoUsage leaves usage out of a Chat Completions or Anthropic answer,
	// as some OpenAI-compatible and Anthropic-compatible servers and
	// proxies answer: a whole answer's usage member, an Anthropic stream's
	// (message_start's and message_delta's), a chat stream's usage chunk
	// (as NoStreamUsage).
	NoUsage bool
	// LineEnd, when set, ends each line of a streaming answer's events
	// instead of LF: "\r\n", or "\r" alone, as the SSE format allows and
	// a few servers write.
	LineEnd string
	// ErrorAfter > 0 makes a streaming answer send the provider's in-stream
	// error after that many events and end: Anthropic's `error` event
	// (overloaded_error), or the {"error":{...}} chunk OpenAI-compatible
	// servers send.
	ErrorAfter int
	// NoStreaming answers a streaming request with the one JSON body of a
	// non-streaming one, as servers and proxies that ignore `stream`, and
	// models that cannot stream, do.
	NoStreaming bool
	// Refusal, when set, makes the OpenAI fake's Chat Completions answer a
	// refusal instead of text, as OpenAI's models do when they decline: this
	// text in message.refusal (content null), or in delta.refusal chunks,
	// one per word, when streaming.
	Refusal string
	// ServiceTier, when set, is the processing tier the OpenAI fake's
	// answers say served them (`service_tier` on a chat completion, on
	// each chunk and on the Responses object), as OpenAI's say, whatever
	// the request asked for; on the Anthropic fake, the usage's
	// service_tier of the answer and of message_start ("standard",
	// "priority"), as Anthropic's says.
	ServiceTier string
	// Stateless makes the OpenAI fake's Responses API keep no answers, as
	// Ollama's: a previous_response_id is neither looked up nor named back
	// (the answer's previous_response_id is null, its store false), so the
	// answer comes without the conversation the id names (Ollama's
	// openai/responses.go; its docs/api/openai-compatibility.mdx: "there
	// is no previous_response_id or conversation support").
	Stateless bool
	// NoBackground makes the OpenAI fake refuse background: true with the
	// 400 of vLLM started without VLLM_ENABLE_RESPONSES_API_STORE (param
	// "background"; vLLM's entrypoints/openai/responses/serving.py).
	NoBackground bool
	// LlamaCpp makes the OpenAI fake's Responses API llama.cpp's
	// llama-server's: its response objects have neither a store nor a
	// previous_response_id member, and it refuses previous_response_id
	// with its 400 "llama.cpp does not support 'previous_response_id'."
	// (ggml-org/llama.cpp tools/server/server-task.cpp,
	// to_json_oaicompat_resp; tools/server/server-chat.cpp); it answers a
	// background call at once (llama.cpp documents no background), and
	// streams in llama.cpp's own shape (llamacpp_responses.go).
	LlamaCpp bool
	// NoRequestID leaves the provider's request id header out of the
	// answers (Request.RequestID is then ""), as a server of one's own
	// (llama.cpp, Ollama) answers without one.
	NoRequestID bool
}

// ToolCall is a function call the fake answers with.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // JSON object text
}

// Request is one request a fake received.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	// Model is the model the request asked for (the deployment for Azure
	// paths).
	Model  string
	Stream bool
	// ProtoMajor is the HTTP version the request came over (2 for
	// HTTP/2), and RemoteAddr the client's end of its connection: two
	// requests with the same RemoteAddr shared one connection.
	ProtoMajor int
	RemoteAddr string
	// RequestID is the provider's id for the request that the fake sent
	// in its response headers (requestIDHeader), failures included: what
	// a gateway logs to trace the call at the provider.
	RequestID string
}

// Fake is a running fake provider. Its methods are safe for concurrent use.
type Fake struct {
	// URL is the base URL an SDK would be configured with: the server's
	// root plus "/v1" (Anthropic SDKs add "/v1" themselves; use Root there).
	URL  string
	Root string
	// Key, when set, is required on every request (Authorization: Bearer,
	// api-key or x-api-key, as the provider expects); others get 401.
	Key string

	server *httptest.Server
	// idPrefix sets this fake's request ids apart from another fake's.
	idPrefix string

	mu        sync.Mutex
	behaviors map[string]Behavior
	failures  map[string]int
	requests  []Request
	cancelled map[string]int
	stored    map[string]*storedResponse
	// arrived holds, per model, the channel Received returns; begin
	// closes it on the model's first request.
	arrived map[string]chan struct{}
}

func newFake(t testing.TB, overTLS bool, routes func(*Fake, *http.ServeMux)) *Fake {
	t.Helper()
	f := &Fake{
		behaviors: map[string]Behavior{},
		failures:  map[string]int{},
		cancelled: map[string]int{},
		stored:    map[string]*storedResponse{},
		arrived:   map[string]chan struct{}{},
		idPrefix:  rand.Text()[:8],
	}
	mux := http.NewServeMux()
	routes(f, mux)
	f.server = httptest.NewUnstartedServer(mux)
	if overTLS {
		// As the providers' own endpoints: TLS, HTTP/2 offered by ALPN
		// beside HTTP/1.1, so the client's transport picks (httptest
		// alone would offer h2 only).
		f.server.EnableHTTP2 = true
		f.server.TLS = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
		f.server.StartTLS()
	} else {
		f.server.Start()
	}
	f.Root = f.server.URL
	f.URL = f.server.URL + "/v1"
	t.Cleanup(f.Close)
	return f
}

// Close stops the server; tests need not call it (t.Cleanup does).
func (f *Fake) Close() {
	f.server.CloseClientConnections()
	f.server.Close()
}

// CertPEM is the certificate of a fake started over TLS (NewOpenAITLS,
// NewAnthropicTLS) in PEM form, what a client must trust to reach it; nil
// for a plain HTTP fake.
func (f *Fake) CertPEM() []byte {
	c := f.server.Certificate()
	if c == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Set gives model its behaviour, replacing an earlier one and resetting its
// failure count.
func (f *Fake) Set(model string, b Behavior) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.behaviors[model] = b
	delete(f.failures, model)
}

// Requests returns a copy of every request received, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// RequestsFor returns the requests that asked for model.
func (f *Fake) RequestsFor(model string) []Request {
	var out []Request
	for _, r := range f.Requests() {
		if r.Model == model {
			out = append(out, r)
		}
	}
	return out
}

// Received returns a channel closed once a request for model has arrived
// (recorded, before the fake answers it), so a test can act at that point
// instead of after a guessed delay.
func (f *Fake) Received(model string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.arrivedLocked(model)
}

func (f *Fake) arrivedLocked(model string) chan struct{} {
	ch, ok := f.arrived[model]
	if !ok {
		ch = make(chan struct{})
		f.arrived[model] = ch
	}
	return ch
}

// Cancelled counts requests for model whose context was cancelled while the
// fake was still answering (delaying, stalling or streaming): the proof
// that a client disconnect reached the upstream.
func (f *Fake) Cancelled(model string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cancelled[model]
}

// WaitCancelled waits up to d for Cancelled(model) to reach n.
func (f *Fake) WaitCancelled(model string, n int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if f.Cancelled(model) >= n {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return f.Cancelled(model) >= n
}

// call is one request being served.
type call struct {
	f     *Fake
	w     http.ResponseWriter
	r     *http.Request
	model string
	b     Behavior
	body  map[string]any
	// seq numbers the fake's requests from 1, so answers have ids of
	// their own, as a provider's do.
	seq int
}

// begin records the request and returns the call, or nil when it was
// already answered (bad JSON, bad key, forced failure, stall, cancel).
func (f *Fake) begin(w http.ResponseWriter, r *http.Request, pathModel string, keyOK func(http.Header) bool, writeErr func(w http.ResponseWriter, status int, msg string)) *call {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "cannot read body")
		return nil
	}
	var body map[string]any
	jsonErr := json.Unmarshal(raw, &body)
	model := pathModel
	if m, ok := body["model"].(string); ok && model == "" {
		model = m
	}
	stream, _ := body["stream"].(bool)

	f.mu.Lock()
	b := f.behaviors[model]
	seq := len(f.requests) + 1
	var requestID string
	if !b.NoRequestID {
		requestID = f.requestID(w, r, seq)
	}
	f.requests = append(f.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: raw, Model: model, Stream: stream,
		ProtoMajor: r.ProtoMajor, RemoteAddr: r.RemoteAddr, RequestID: requestID,
	})
	if ch := f.arrivedLocked(model); !isClosed(ch) {
		close(ch)
	}
	fail := false
	if b.FailStatus != 0 && (b.FailTimes == 0 || f.failures[model] < b.FailTimes) {
		f.failures[model]++
		fail = true
	}
	f.mu.Unlock()

	switch {
	case f.Key != "" && !keyOK(r.Header):
		writeErr(w, http.StatusUnauthorized, "invalid api key")
		return nil
	case jsonErr != nil:
		writeErr(w, http.StatusBadRequest, "body is not JSON: "+jsonErr.Error())
		return nil
	case model == "":
		writeErr(w, http.StatusBadRequest, "model is required")
		return nil
	}
	c := &call{f: f, w: w, r: r, model: model, b: b, body: body, seq: seq}
	if !c.wait(b.Delay) || !c.through(b.Gate) {
		return nil
	}
	if fail {
		for k, vs := range b.FailHeader {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if b.FailBody != "" {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(b.FailStatus)
			_, _ = io.WriteString(w, b.FailBody)
		} else {
			writeErr(w, b.FailStatus, fmt.Sprintf("forced failure %d for %s", b.FailStatus, model))
		}
		return nil
	}
	if b.Stall && (b.StallAfter == 0 || !stream) {
		c.stall()
		return nil
	}
	return c
}

// requestID sends the id of the request numbered seq in the header the
// provider the path is of sends it in, and returns it: Anthropic's
// request-id; Azure OpenAI's apim-request-id beside an x-request-id of
// its own; OpenAI's x-request-id.
func (f *Fake) requestID(w http.ResponseWriter, r *http.Request, seq int) string {
	id := fmt.Sprintf("req_%s%d", f.idPrefix, seq)
	switch {
	case r.URL.Path == "/v1/messages":
		w.Header().Set("request-id", id)
	case strings.HasPrefix(r.URL.Path, "/openai/"):
		w.Header().Set("apim-request-id", id)
		w.Header().Set("x-request-id", "x"+id)
	default:
		w.Header().Set("x-request-id", id)
	}
	return id
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// wait sleeps d unless the request is cancelled first; false if cancelled.
func (c *call) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.r.Context().Done():
		c.noteCancelled()
		return false
	}
}

// through waits until gate is closed (nil: no wait) unless the request is
// cancelled first; false if cancelled.
func (c *call) through(gate <-chan struct{}) bool {
	if gate == nil {
		return true
	}
	select {
	case <-gate:
		return true
	case <-c.r.Context().Done():
		c.noteCancelled()
		return false
	}
}

func (c *call) stall() {
	<-c.r.Context().Done()
	c.noteCancelled()
}

func (c *call) noteCancelled() {
	c.f.mu.Lock()
	c.f.cancelled[c.model]++
	c.f.mu.Unlock()
}

func (c *call) reply() string {
	if c.b.Reply != "" {
		return c.b.Reply
	}
	return "Hello from " + c.model + "."
}

// replyWords splits the reply into stream deltas that concatenate back to
// the reply exactly ("Hello ", "from ", "x.").
func (c *call) replyWords() []string { return words(c.reply()) }

// words splits text into stream deltas that concatenate back to it.
func words(text string) []string {
	var out []string
	for _, w := range strings.SplitAfter(text, " ") {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

func (c *call) completionTokens() int {
	if c.b.ToolCall != nil {
		n := Words(c.b.ToolCall.Arguments) + c.b.ReasoningTokens
		if c.b.TextFirst {
			n += Words(c.reply())
		}
		return n
	}
	if c.b.Refusal != "" {
		return Words(c.b.Refusal) + c.b.ReasoningTokens
	}
	return Words(c.reply()) + c.b.ReasoningTokens
}

// withText reports whether the answer has reply text.
func (c *call) withText() bool { return c.b.ToolCall == nil || c.b.TextFirst }

func (c *call) promptTokens() int { return PromptWords(c.body) }

// Words counts whitespace-separated words: the fakes' token count.
func Words(s string) int { return len(strings.Fields(s)) }

// PromptWords counts the words of every text a request carries to the model
// (messages, input, system, instructions, text parts, tool results), the
// fakes' prompt_tokens.
func PromptWords(body map[string]any) int {
	n := 0
	for _, k := range []string{"messages", "input", "system", "instructions"} {
		n += textWords(body[k])
	}
	return n
}

func textWords(v any) int {
	switch v := v.(type) {
	case string:
		return Words(v)
	case []any:
		n := 0
		for _, e := range v {
			n += textWords(e)
		}
		return n
	case map[string]any:
		n := 0
		for _, k := range []string{"content", "text"} {
			n += textWords(v[k])
		}
		return n
	}
	return 0
}
