package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// HeaderModel names the answering model on every forwarded answer.
const HeaderModel = "x-modelrouter-model"

// detailsJSON is the model_selection_details member for an answer from
// the attempt's model, or nil when the call has none.
func (a *attempt) detailsJSON(status int) json.RawMessage {
	d := a.details(status)
	if d == nil {
		return nil
	}
	b, err := d.AppendJSON(nil)
	if err != nil {
		return nil
	}
	return b
}

// details is the model_selection_details value for an answer from the
// attempt's model, or nil when the call has none. It is encoded where it
// goes (object.encode, withMember): encoded on its own first, its
// kilobytes would be copied into every answer again.
func (a *attempt) details(status int) jsonAppender {
	if a.call.Details == nil {
		return nil
	}
	attempts := append(slices.Clone(a.out.Attempts), router.Attempt{
		Model: modelID(a.model), Status: status, Latency: time.Since(a.began),
	})
	v := a.call.Details(attempts, a.model)
	if ap, ok := v.(jsonAppender); ok {
		return ap
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return rawJSON(b)
}

// withMember appends key with value encoded to a JSON object we encoded
// ourselves; nothing is added when value is nil or fails to encode.
// Putting the details in a struct's json.RawMessage field instead would
// make encoding/json validate and compact its kilobytes on every answer.
func withMember(obj []byte, key string, value jsonAppender) []byte {
	if value == nil || len(obj) < 2 || obj[len(obj)-1] != '}' {
		return obj
	}
	name, _ := json.Marshal(key)
	out := make([]byte, 0, len(obj)+len(name)+value.JSONSize()+2)
	out = append(out, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	out = append(out, name...)
	out = append(out, ':')
	out, err := value.AppendJSON(out)
	if err != nil {
		return obj
	}
	return append(out, '}')
}

// jsonAppender is a value that encodes itself exactly as json.Marshal
// would, without reflection, into the buffer of the answer it goes out
// with (openai.SelectionDetails: the details go out with every answer).
// JSONSize is about its encoding's length, so that the answer's buffer is
// allocated once.
type jsonAppender interface {
	AppendJSON(b []byte) ([]byte, error)
	JSONSize() int
}

// rawJSON is a value encoded already, as it is.
type rawJSON []byte

func (r rawJSON) AppendJSON(b []byte) ([]byte, error) { return append(b, r...), nil }
func (r rawJSON) JSONSize() int                       { return len(r) }

// keep hands a translated Responses answer to the call's Keep; whole is r
// encoded, when the caller has it already (nil: keep encodes it).
func (a *attempt) keep(r *responseObject, whole []byte) {
	if a.call.Keep == nil {
		return
	}
	output, err := marshalPlain(r.Output)
	if err != nil {
		return
	}
	if whole == nil {
		if whole, err = marshalPlain(r); err != nil {
			return
		}
	}
	a.call.Keep(Kept{ID: r.ID, Model: a.model, Output: output, Response: whole})
}

// writeHead sends the status and headers of the answer.
func (a *attempt) writeHead(status int, contentType string) {
	h := a.w.Header()
	h.Set("Content-Type", contentType)
	h.Set(HeaderModel, modelID(a.model))
	if isEventStream(contentType) {
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
	}
	h.Del("Content-Length")
	a.w.WriteHeader(status)
	a.out.Wrote = true
	a.out.Answered = a.model
	a.out.Status = status
	a.out.Translated = a.translated()
}

// translated reports whether the provider speaks another API than the
// client's: Anthropic's Messages API is native only to Messages calls.
func (a *attempt) translated() bool {
	return (a.provider.Kind == KindAnthropic) != (a.call.API == APIMessages)
}

// answer reads a whole JSON answer, rewrites it and writes it. ctx is
// the attempt's: as a stream's, the writes to the client end soon after it
// (see boundWrites).
func (a *attempt) answer(ctx context.Context, resp *http.Response) (int, error) {
	firstByte := time.Since(a.start)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if status, ended := a.endedHere(err); ended != nil {
		return status, ended
	}
	switch {
	case err != nil && a.wait.expired():
		return resp.StatusCode, a.wait.err("whole answer")
	case err != nil:
		return resp.StatusCode, netRetryable("answer broke off", err)
	}
	// Read whole: the rest is ours to do, whatever the attempt timeout.
	a.wait.stop()
	if len(raw) > maxAnswerBytes {
		return resp.StatusCode, &retryable{msg: "answer over 64 MiB"}
	}
	// A server that cuts a character between tokens (a self-hosted one)
	// may answer bytes that are no UTF-8 inside a string. Passed on as they
	// came, a strict client (Python's json, as the OpenAI and Anthropic SDKs
	// read an answer) failed where the answer is passed on and not where it
	// is translated, and one that sent the text back was refused. The
	// answer a Responses call keeps is made from this, so a read by id
	// gives what the call gave.
	raw = jsonscan.WholeUTF8(raw)
	if msg, ok := errorAnswer(raw); ok && a.call.Relay == nil {
		// As an error chunk that opens a stream: nothing was answered, so
		// the next model is tried and nothing is billed.
		rt := &retryable{msg: fmt.Sprintf("HTTP %d with an error instead of an answer: %s", resp.StatusCode, a.f.shownMessage(msg)), quotes: true}
		if a.wireAPI() == APIResponses && strings.HasPrefix(msg, "Unexpected endpoint or method.") {
			// LM Studio's 200 for a path it has no route for: a server
			// without the Responses API, as routeMissing's 404s say.
			rt.msg += " (the provider has no Responses API at this base URL)"
			rt.unfit, rt.noAPI = true, true
		}
		return resp.StatusCode, rt
	}
	var obj object
	if a.call.Relay == nil {
		// A body of the wrong shape ({}, a proxy's status object, no
		// choices) is no answer either: passed on or translated, the
		// client would get an empty answer billed as the model's.
		if obj, err = answerObject(a.wireAPI(), raw); err != nil {
			return resp.StatusCode, &retryable{msg: err.Error()}
		}
		if a.wireAPI() == APIResponses && a.forgotPrevious(obj.get("previous_response_id")) {
			return resp.StatusCode, a.forgotten("answered without the conversation previous_response_id names")
		}
		if a.wireAPI() == APIResponses && unreadableJob(obj) {
			return resp.StatusCode, a.runsNoBackground(unreadableJobText)
		}
	}
	// Some servers ignore `stream`, and some models cannot stream: their
	// answer goes to the streaming client as events (writeAsStream), which
	// carry the details on the first one instead.
	asStream := a.call.Stream && a.call.Relay == nil
	var body []byte
	var usage router.Usage
	var details jsonAppender
	if !asStream {
		details = a.details(resp.StatusCode)
	}
	native := a.provider.Kind == KindAnthropic
	kept := a.call.Relay == nil && a.wireAPI() == APIResponses && a.keepsAnswerOf(obj.get("store"), obj.get("background"), obj.get("status"))
	if id := a.continuesJSON(); id != nil && a.call.Relay == nil && !native {
		// Its server got the conversation whole, and names no response.
		obj.setString("previous_response_id", id)
	}
	var items []string
	if a.wireAPI() == APIResponses && !native && !unstored(obj.get("store")) && !kept {
		// A kept answer's items go out with the gateway's ids, which
		// lead to the kept answer; the server's name nothing.
		items = itemIDs(raw)
	}
	text := 0
	if a.call.Relay == nil && noUsage(obj.get("usage")) {
		// Billed all the same: the log's estimate counts at least the
		// text the answer carried, as a stream's does (billedUsage).
		text = a.f.answerTokens(raw)
	}
	switch {
	case a.call.Relay != nil:
		body, err = relayAnswer(raw, a.model, a.continuesJSON())
		a.out.EndedUsage, a.out.EndedStatus, a.out.Ended = endedUsage(raw)
	case a.call.API == APIMessages && !native:
		body, usage, err = chatToMessage(raw, a.model, details, a.call.Raw, a.estimate(text))
	case a.call.API == APIResponses && native:
		body, usage, err = anthropicToResponse(raw, a.model, a.responseSettings(), details, a.keep, a.estimate(text))
	case a.call.API != APIMessages && native:
		body, usage, err = fromAnthropic(raw, a.model, details, a.estimate(text))
	case kept:
		body, usage = a.keepNative(obj, details)
	default:
		// The provider speaks the client's API: rewriteAnswer's `model`,
		// details and usage fit Anthropic's message as well as OpenAI's.
		body, usage = a.rewriteAnswer(obj, details)
	}
	if err != nil {
		return resp.StatusCode, &retryable{msg: err.Error()}
	}
	if asStream {
		if err := a.writeAsStream(ctx, resp.StatusCode, body, firstByte); err != nil {
			return resp.StatusCode, &retryable{msg: err.Error()}
		}
		a.out.Usage, a.out.Whole, a.out.ItemIDs, a.out.TextTokens = usage, true, items, text
		return resp.StatusCode, nil
	}
	// An answer of megabytes outgrows the socket buffers: a client that
	// stops reading it would hold the call for as long as it keeps its
	// connection.
	defer a.boundWrites(ctx)()
	a.writeHead(resp.StatusCode, "application/json")
	a.out.FirstByte = firstByte
	a.out.Usage, a.out.Whole, a.out.ItemIDs, a.out.TextTokens = usage, true, items, text
	if _, err := a.w.Write(body); err != nil {
		a.noteUnread()
	}
	return resp.StatusCode, nil
}

// noteUnread marks a whole answer whose write to the client failed: when
// the call's deadline cut it (the client kept its connection but did not
// read), the call is the gateway's 502, and a shutdown's cut its 503, as a
// stream's are; a client that went away had the answer sent to it, and the
// outcome stays the answer's. The provider answered either way.
func (a *attempt) noteUnread() {
	switch {
	case !a.writesCut.Load():
	case a.f.draining():
		a.out.Status = http.StatusServiceUnavailable
		a.out.Err = shuttingDown("")
	default:
		msg := a.f.redact("upstream " + modelID(a.model) + " answer cut off at the call's deadline: the client was not reading it")
		a.out.Status = http.StatusBadGateway
		a.out.Err = router.Errorf(router.EUpstream, "%s", msg)
	}
}

// errorAnswer reads a 2xx body that is no answer but a provider's error
// object, in OpenAI's shape ({"error": {...}}) or Anthropic's ({"type":
// "error", "error": {...}}): some OpenAI-compatible servers and proxies
// report a failed generation so. An answer that merely has an error member
// (a Responses object's "error": null, a failed response with its output)
// is not one: it is the provider's account of the call.
func errorAnswer(raw []byte) (string, bool) {
	if !bytes.Contains(raw, []byte(`"error"`)) { // most answers: no parse
		return "", false
	}
	obj, err := scanObject(raw)
	if err != nil {
		return "", false
	}
	e := obj.get("error")
	if e == nil || string(e) == "null" || obj.has("choices") || obj.has("output") || obj.has("content") {
		return "", false
	}
	return streamErrorMessage(map[string]json.RawMessage{"error": e})
}

// wireAPI is the API the provider answers in: Messages for Claude, Chat
// Completions for a Messages call translated for an OpenAI-compatible
// model, the client's own otherwise.
func (a *attempt) wireAPI() API {
	switch {
	case a.provider.Kind == KindAnthropic:
		return APIMessages
	case a.call.API == APIMessages:
		return APIChatCompletions
	}
	return a.call.API
}

// answerObject reads a 2xx JSON body as an answer in api, the provider's
// wire format, before it is passed on or translated: an error says why it
// is none. Only the shape is checked (a Chat answer's choices, a response
// object, a Claude message with content), so a choice whose content is
// null beside tool calls, or a refusal, is an answer.
func answerObject(api API, raw []byte) (object, error) {
	obj, err := scanAnswerObject(raw)
	if err != nil {
		return object{}, errors.New("answer is not a JSON object")
	}
	switch api {
	case APIChatCompletions:
		if _, some := jsonArray(obj.get("choices")); !some {
			return object{}, errors.New("answer has no choices")
		}
	case APIResponses:
		if isArray, _ := jsonArray(obj.get("output")); !isArray && string(obj.get("object")) != `"response"` {
			return object{}, errors.New("answer is not a response object")
		}
	case APIMessages:
		if isArray, _ := jsonArray(obj.get("content")); !isArray || string(obj.get("type")) != `"message"` {
			return object{}, errors.New("answer is not an Anthropic message")
		}
	}
	return obj, nil
}

// jsonArray reports whether v, a member's value as scanned, is an array,
// and whether it has an element.
func jsonArray(v []byte) (isArray, some bool) {
	if len(v) == 0 || v[0] != '[' {
		return false, false
	}
	i := jsonscan.Space(v, 1)
	return true, i < len(v) && v[i] != ']'
}

// estimate is the usage a translated answer (Messages from Chat
// Completions, Chat Completions or Responses from Anthropic's Messages)
// reports where its provider reported none, whole (shownUsage) or streamed
// (streamUsage.shown), and the log bills (billedUsage): the prompt's
// estimated tokens, and the answer's predicted length or, where more, the
// tokens of the text it carried (text).
func (a *attempt) estimate(text int) router.Usage {
	u := router.Usage{PromptTokens: a.call.InputTokens, CompletionTokens: text}
	if a.call.OutputTokens != nil {
		u.CompletionTokens = max(text, a.call.OutputTokens(a.model))
	}
	return u
}

// detailsKey is the member every routed answer gets, shared: a member's
// key is only read.
var detailsKey = []byte("model_selection_details")

// rewriteAnswer sets `model` in an answer in the client's own API (Chat
// Completions, Responses or Messages), adds the details and reads usage.
func (a *attempt) rewriteAnswer(obj object, details jsonAppender) ([]byte, router.Usage) {
	name, _ := json.Marshal(modelID(a.model))
	obj.setString("model", name)
	if c := stringContents(obj.get("choices"), "message"); c != nil {
		obj.setString("choices", c)
	}
	if details != nil {
		obj.setEncodedLate(detailsKey, details)
	}
	usage, ok := parseUsage(obj.get("usage"))
	if ok {
		usage = withTier(usage, obj.get("service_tier"))
		usage = withSearches(usage, obj.get("output"), obj.get("tools"))
	}
	return obj.encode(), usage
}

// writeClientError passes a provider's 4xx to the client in OpenAI's
// error shape: OpenAI-compatible JSON errors as they came, Anthropic's
// converted, anything else wrapped. A Messages client gets Anthropic's
// shape instead (messagesErrorBody).
func (a *attempt) writeClientError(status int, raw []byte) {
	body := a.clientErrorBody
	if a.call.API == APIMessages {
		body = a.messagesErrorBody
	}
	// Google's list form, [{"error": {...}}], is passed on as its one
	// object, which is what the client's SDK reads.
	raw = unlisted(raw)
	a.writeHead(status, "application/json")
	_, _ = a.w.Write(body(status, raw))
	a.out.Refused = true
	a.out.Err = &router.Error{
		Code:    router.EInvalid,
		Message: fmt.Sprintf("upstream %s rejected the request with HTTP %d", modelID(a.model), status),
	}
}

func (a *attempt) clientErrorBody(status int, raw []byte) []byte {
	e, _, ok := readProviderError(raw)
	switch {
	case ok && a.provider.Kind != KindAnthropic:
		return []byte(a.f.redact(string(raw)))
	case ok:
		return openAIError(a.f.redact(e.Message), e.Type, nil)
	}
	if msg, typ, ok := foreignError(raw); ok {
		// A server's own shape (SGLang's, TGI's, FastAPI's), which OpenAI's
		// SDKs would show as no message at all.
		if typ == "" {
			typ = "upstream_error"
		}
		return openAIError(a.f.redact(msg), typ, nil)
	}
	return openAIError(a.wrapErrorText(status, raw), "upstream_error", nil)
}

// providerError is the inside of an error body in either provider's shape:
// OpenAI's {"error": {...}} and Anthropic's {"type": "error", "error": {...}}.
type providerError struct {
	Message string `json:"message"`
	Type    string `json:"type"`
}

// readProviderError reads raw as an error body in either shape;
// anthropicShape is true for Anthropic's, which has "type": "error" at the
// top.
func readProviderError(raw []byte) (e providerError, anthropicShape, ok bool) {
	var wire struct {
		Type  string         `json:"type"`
		Error *providerError `json:"error"`
	}
	if json.Unmarshal(raw, &wire) != nil || wire.Error == nil {
		return providerError{}, false, false
	}
	return *wire.Error, wire.Type == "error", true
}

// wrapErrorText describes an error body that is not JSON (a proxy's HTML
// page, plain text), redacted, then shortened: a key cut in two is no
// longer found whole.
func (a *attempt) wrapErrorText(status int, raw []byte) string {
	text := a.f.redact(strings.TrimSpace(string(raw)))
	if len(text) > 500 {
		text = text[:500] + "..."
	}
	msg := fmt.Sprintf("upstream %s returned HTTP %d", modelID(a.model), status)
	if text != "" {
		msg += ": " + text
	}
	return msg
}

// openAIError is OpenAI's error body.
func openAIError(message, typ string, code any) []byte {
	b, _ := json.Marshal(map[string]any{
		"error": map[string]any{"message": message, "type": typ, "param": nil, "code": code},
	})
	return b
}
