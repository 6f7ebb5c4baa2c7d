package upstream

// A provider's refusal of the gateway itself, as opposed to the client's
// request: the gateway's provider key is refused, or its provider account
// does not serve the model. The client chose neither, so the call fails
// over and the model's health counts it (see forward.go).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/echoed"
)

// anthropicNoCredit begins the message of Anthropic's 400 for an account
// whose credit ran out ("... to access the Anthropic API. Please go to
// Plans & Billing to upgrade or purchase credits.").
const anthropicNoCredit = "Your credit balance is too low"

// refusesGateway reports whether a provider's 4xx on a new answer, whose
// body is raw, is about the gateway rather than the client's request. The
// client picked a deployment, not the model or the key, so another model
// may answer; passed through, such a refusal would make the client's SDK
// report the client's own key or deployment as wrong. The status alone does
// not say whose fault it is, so the body decides:
//
//   - 401: always the gateway's; the client's key was already accepted.
//   - 400: the gateway's only for Google's API_KEY_INVALID ("API key not
//     valid"), which Google sends as a 400, and Anthropic's account out of
//     credit (anthropicNoCredit); any other 400 is the request's.
//   - 404: the gateway's only when the provider says the model is unknown
//     (OpenAI's model_not_found, Azure's DeploymentNotFound, param "model"
//     as vLLM and SGLang send, or a message naming the upstream model
//     name, as Anthropic's "model: x" and OpenRouter's "No endpoints found
//     for x"), Azure's bare "Resource not found" (a wrong api-version or
//     path), Google's NOT_FOUND naming "models/<name>", or no error object
//     at all, FastAPI's bare {"detail": "Not Found"} or llama.cpp's "File
//     Not Found" (a wrong base URL's path: see routeMissing). Any other
//     404 is about an id the client gave (a previous response, a vector
//     store, a container, a file), which no other model knows either; such
//     messages name the id, not the model.
//   - 402: always the gateway's: its account's credit or billing.
//   - 403: the gateway's only for its key's permissions (Anthropic's
//     permission_error, OpenAI's invalid_api_key, a region or a model the
//     account cannot use, Azure's AuthenticationTypeDisabled and its
//     network rules' "Access denied", Google's PERMISSION_DENIED or
//     UNAUTHENTICATED status: a suspended or restricted key or project),
//     or no error object. Any other 403, a
//     content policy refusal of the prompt above all, is the client's:
//     another model would only be shopped the same prompt, and one client's
//     flagged prompts must not make the model unhealthy for every client.
//     Google's PERMISSION_DENIED about a file or cached content the client
//     named is the client's too, as a 404 about its id is.
//
// Relays (reads and deletes by id) never get here: only one provider has
// their answer.
func (a *attempt) refusesGateway(status int, raw []byte) bool {
	if status == http.StatusUnauthorized || status == http.StatusPaymentRequired {
		// A 402 is the gateway's account out of credit (OpenRouter's
		// "Insufficient credits"): its key pays, not the client, and
		// another provider's account may still answer.
		return true
	}
	if status == http.StatusBadRequest {
		// Google's bad key: a 400 whose details name it, not the request;
		// Anthropic's account out of credit, which it sends as a 400
		// invalid_request_error where OpenRouter sends a 402.
		e, ok := readRefusal(raw)
		return ok && (e.hasReason("API_KEY_INVALID") || strings.HasPrefix(e.Message, anthropicNoCredit))
	}
	if status != http.StatusNotFound && status != http.StatusForbidden {
		return false
	}
	e, ok := readRefusal(raw)
	if !ok {
		if msg, _, ok := foreignError(raw); ok && status == http.StatusNotFound {
			// A server's own shape (a string error, FastAPI's detail):
			// its router's bare "Not Found", or the model named, is the
			// gateway's; what else it names the client gave.
			msg = strings.ToLower(strings.TrimSpace(msg))
			return msg == "not found" || namesModel(msg, strings.ToLower(upstreamModel(a.model)))
		}
		return true
	}
	msg := strings.ToLower(e.Message)
	if status == http.StatusNotFound {
		name := strings.ToLower(upstreamModel(a.model))
		return e.Code == "model_not_found" || e.Code == apierr.DeploymentNotFound || string(e.RawParam) == `"model"` ||
			e.Type == "not_found_error" && strings.HasPrefix(msg, "model:") ||
			namesModel(msg, name) ||
			// Google names its models "models/<name>", which namesModel
			// does not take as the bare name (a path may end in a name).
			e.Status == "NOT_FOUND" && namesModel(msg, "models/"+name) ||
			// Azure's front door, for the resource (a wrong api-version or
			// path), not a deployment or an id: those it names.
			a.provider.Kind == KindAzure && strings.HasPrefix(msg, "resource not found") ||
			llamaCppRouteMissing(e)
	}
	if e.moderated() {
		return false
	}
	switch {
	case e.Type == "permission_error", e.Type == "authentication_error",
		e.Code == "invalid_api_key", e.Code == "unsupported_country_region_territory",
		e.Code == "model_not_found", e.Code == "PermissionDenied", e.Code == "AuthenticationTypeDisabled":
		return true
	case e.Status == "PERMISSION_DENIED" || e.Status == "UNAUTHENTICATED":
		// Google's status for its key or project (suspended, restricted,
		// denied the model), but also for a file or cached content the
		// client named that is gone or another key's: those name it.
		return !strings.Contains(msg, "access the file") && !strings.Contains(msg, "cachedcontent")
	}
	// "Access denied" is Azure's front door turning the gateway's address
	// away (network or firewall rules) before any model saw the prompt.
	return strings.Contains(msg, "access to model") || strings.Contains(msg, "access to the model") ||
		strings.HasPrefix(msg, "access denied")
}

// routeMissing reports whether a 404's body says the server has no route
// for the path, rather than that something the call named is unknown: no
// error object at all (Ollama's gin router answers "404 page not found",
// FastAPI's (vLLM, SGLang) {"detail": "Not Found"}, TGI's axum router an
// empty body), or llama.cpp's llama-server's own, whose error handler
// sends {"error": {"message": "File Not Found", "type": "not_found_error",
// "code": 404}} for any path it does not serve. A 404 about the client's
// id names the id, also in a server's own shape (a string error, or a
// FastAPI detail other than its router's "Not Found"): no other model
// knows that id either.
func routeMissing(status int, raw []byte) bool {
	if status != http.StatusNotFound {
		return false
	}
	if e, ok := readRefusal(raw); ok {
		return llamaCppRouteMissing(e)
	}
	if msg, _, ok := foreignError(raw); ok {
		return strings.EqualFold(strings.TrimSpace(msg), "not found")
	}
	return true
}

func llamaCppRouteMissing(e refusal) bool {
	return e.Type == "not_found_error" && strings.EqualFold(strings.TrimSpace(e.Message), "file not found")
}

// contextRefused reports a client error that says the prompt does not fit
// the server's context window: OpenAI's code context_length_exceeded,
// llama.cpp's llama-server's exceed_context_size_error ("request (N
// tokens) exceeds the available context size (M tokens)"), vLLM's "This
// model's maximum context length is M tokens. However, you requested N
// tokens ...", in either of its shapes, the "Requested token count exceeds
// the model's maximum context length of M tokens" of others, or TGI's 422
// "Input validation error: `inputs` tokens + `max_new_tokens` must be <=
// M".
func contextRefused(status int, raw []byte) bool {
	if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
		return false
	}
	if e, ok := readRefusal(raw); ok {
		return e.Code == "context_length_exceeded" || e.Type == "exceed_context_size_error" ||
			strings.Contains(strings.ToLower(e.Message), "maximum context length")
	}
	msg, _, ok := foreignError(raw)
	return ok && strings.Contains(msg, "`inputs` tokens + `max_new_tokens` must be <=")
}

// refusal is what refusesGateway reads of an error body, in OpenAI's shape
// (with OpenRouter's metadata), Anthropic's or Google's (its gRPC status
// name and the reasons in its details).
type refusal struct {
	Type     string          `json:"type"`
	RawParam json.RawMessage `json:"param"`
	RawCode  json.RawMessage `json:"code"` // a string, a number (OpenRouter, vLLM, Google) or null
	Message  string          `json:"message"`
	// Google's status and details; raw, since other servers put other
	// types there, and an error body read wrong would count as none.
	RawStatus  json.RawMessage `json:"status"`
	RawDetails json.RawMessage `json:"details"`
	Metadata   struct {
		Reasons      json.RawMessage `json:"reasons"`
		FlaggedInput json.RawMessage `json:"flagged_input"`
	} `json:"metadata"`
	Code   string `json:"-"`
	Status string `json:"-"`
}

func readRefusal(raw []byte) (refusal, bool) {
	raw = unlisted(raw)
	var wire struct {
		Error  *refusal `json:"error"`
		Object string   `json:"object"`
	}
	if json.Unmarshal(raw, &wire) != nil {
		return refusal{}, false
	}
	var e refusal
	switch {
	case wire.Error != nil:
		e = *wire.Error
	case wire.Object == "error" && json.Unmarshal(raw, &e) == nil && e.Message != "":
		// SGLang's shape (and vLLM's before it nested the error): the
		// error's members at the top, {"object": "error", "message": ...,
		// "type": ..., "param": ..., "code": 404}.
	default:
		return refusal{}, false
	}
	_ = json.Unmarshal(e.RawStatus, &e.Status)
	if json.Unmarshal(e.RawCode, &e.Code) != nil {
		var n json.Number
		if json.Unmarshal(e.RawCode, &n) == nil {
			e.Code = n.String() // 404 reads as Azure's "404"
		}
	}
	return e, true
}

// unlisted is the error object of Google's list form, [{"error": {...}}],
// which its OpenAI-compatible endpoint sends as well as the bare object;
// any other body is returned as it is.
func unlisted(raw []byte) []byte {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return raw
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) != 1 {
		return raw
	}
	return list[0]
}

// hasReason reports whether one of Google's details (an ErrorInfo) gives
// reason.
func (e refusal) hasReason(reason string) bool {
	var details []struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal(e.RawDetails, &details) != nil {
		return false
	}
	for _, d := range details {
		if d.Reason == reason {
			return true
		}
	}
	return false
}

// namesModel reports whether msg (lowercased) names the model name as a
// whole word: a client's ids ("vs_abco1", "file-gpt4") may contain a short
// model name, and their 404s are the client's.
func namesModel(msg, name string) bool {
	if name == "" {
		return false
	}
	inName := func(b byte) bool {
		return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_'
	}
	for from := 0; ; {
		i := strings.Index(msg[from:], name)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(name)
		before := i == 0 || !inName(msg[i-1]) && msg[i-1] != '.' && msg[i-1] != '/'
		// A sentence's full stop ends the name; "gpt-4" is not "gpt-4.1".
		after := end == len(msg) || !inName(msg[end]) && msg[end] != '/' &&
			(msg[end] != '.' || end+1 == len(msg) || !inName(msg[end+1]))
		if before && after {
			return true
		}
		from = i + 1
	}
}

// moderated reports a content policy refusal of the prompt: OpenRouter's
// flagged input, OpenAI's content_policy_violation, Azure's content_filter.
func (e refusal) moderated() bool {
	for _, s := range []string{e.Code, e.Type} {
		if s == "content_policy_violation" || s == "content_filter" {
			return true
		}
	}
	return len(e.Metadata.Reasons) > 0 || len(e.Metadata.FlaggedInput) > 0 ||
		strings.Contains(strings.ToLower(e.Message), "flagged")
}

// refusalText is a refusal's status and the provider's message, for the
// attempt's record and the 502 when no model answers: the operator reads
// there which key or model to fix. The message is redacted before it is
// shortened: a key cut in two is no longer found whole.
func (f *Forwarder) refusalText(status int, raw []byte) string {
	msg := strings.TrimSpace(string(raw))
	if m, ok := errorMessage(raw); ok {
		msg = m
	}
	msg = f.shownMessage(msg)
	if msg == "" {
		return fmt.Sprintf("HTTP %d", status)
	}
	return fmt.Sprintf("HTTP %d: %s", status, msg)
}

// shownMessage is a provider's message as an attempt's record, the server
// log and the 502 show it: redacted, then cut to 300 characters, so a
// server that quotes a whole request in its error (vLLM's 400s, an error
// body or event that echoes it) costs the record, and echoed.Replace's
// pass over it, 300 characters and not the request's megabytes.
func (f *Forwarder) shownMessage(msg string) string {
	msg = f.redact(msg)
	if r := []rune(msg); len(r) > 300 {
		msg = string(r[:300]) + "..."
	}
	return msg
}

// withoutRequestText is a provider's messages with the text of the call's
// request they quote replaced (echoed.Replace, one pass over the request
// for them all): vLLM and SGLang quote the input in their errors.
func (a *attempt) withoutRequestText(msgs ...string) []string {
	return echoed.Replace(msgs, a.call.Raw)
}

// servesNoAPI reports whether an attempt failed as its server has no
// route for the call's API (routeMissing).
func servesNoAPI(err error) bool {
	var rt *retryable
	return errors.As(err, &rt) && rt.noAPI
}

// noResponsesAPI explains a Responses call that every model's server
// answered as a server without the Responses API: a 502, as the client's
// call is one the API takes and what would fix it is a model whose server
// has it (the order may be routing_config.models' narrowing, not the
// deployment), but final, since asking again meets the
// same servers; the OpenAI and Anthropic SDKs retry a bare 502.
func (f *Forwarder) noResponsesAPI(attempts []router.Attempt) error {
	return f.finalUpstream("none of the models this call could go to serves the Responses API at its base URL (send the call as Chat Completions, or to a model whose server has the Responses API)", attempts)
}

// refusedGateway reports whether an attempt failed on such a refusal.
func refusedGateway(err error) bool {
	var rt *retryable
	return errors.As(err, &rt) && rt.gateway
}

// allRefusedGateway explains a call every model's provider refused for the
// gateway's own sake (its key, its account's models): a 502, since the
// client's key and request were accepted, and what would fix it is the
// gateway's configuration, not the client's request. Final: asking again
// meets the same refusals, so the client is told not to retry.
func (f *Forwarder) allRefusedGateway(attempts []router.Attempt) error {
	return f.finalUpstream("every upstream model's provider refused the gateway (its provider key, its account's credit, or a model its account does not serve), not this request", attempts)
}

// finalUpstream is the 502 of a call whose every attempt failed in a way
// asking again would meet once more: Final, so the client is told not to
// retry, with why and the attempts in its message.
func (f *Forwarder) finalUpstream(why string, attempts []router.Attempt) error {
	return &router.Error{Code: router.EUpstream, Detail: attempts, Final: true, Message: f.redact(why + ": " + attemptList(attempts))}
}

// errorMessage is the message of an error body in any shape the gateway
// reads: OpenAI's or Anthropic's (Google's list form too), or a server's
// own (foreignError).
func errorMessage(raw []byte) (string, bool) {
	if e, _, ok := readProviderError(unlisted(raw)); ok {
		return e.Message, true
	}
	msg, _, ok := foreignError(raw)
	return msg, ok
}

// maxTokensTooLarge reports a context refusal that blames the client's
// max_tokens rather than the prompt (vLLM's "'max_tokens' or
// 'max_completion_tokens' is too large: ..."): trimming the prompt is not
// what the server asks for, so it is no context_length_exceeded.
func maxTokensTooLarge(raw []byte) bool {
	msg, _ := errorMessage(raw)
	return strings.Contains(msg, "'max_tokens' or 'max_completion_tokens' is too large")
}

// transient reports whether an attempt failed in a way a retry may clear
// (down, a timeout, a 5xx, a 429, skipped while unhealthy or asked to
// wait), not as its server cannot take the call or refuses the gateway.
func transient(err error) bool {
	var rt *retryable
	return errors.As(err, &rt) && !rt.unfit && !rt.gateway
}

// refuseContext ends the call on the last model's refusal of a prompt too
// long for its server's context window with the gateway's own 400
// context_length_exceeded, as the caller writes it for a prompt routing
// finds too long (in the client API's error shape), with the server's
// message. Clients trim and retry on that code; passed on, the refusal
// came in the server's shape and status (TGI's 422, llama.cpp's
// exceed_context_size_error), which they do not know.
func (a *attempt) refuseContext(raw []byte) {
	msg, _ := errorMessage(raw)
	if msg = strings.TrimSpace(a.f.redact(msg)); msg == "" {
		msg = "The prompt does not fit the model's context window."
	}
	param := "messages"
	if a.call.API == APIResponses {
		param = "input"
	}
	a.refuseAsGateway(&router.Error{Code: router.EInvalid, Reason: router.ReasonContextLength, Param: param, Message: msg})
}

// refuseAsGateway ends the call on the last model's refusal with the
// gateway's own 400 e, which the caller writes in the client API's shape;
// the answer's model header names the model that refused.
func (a *attempt) refuseAsGateway(e *router.Error) {
	a.w.Header().Set(HeaderModel, modelID(a.model))
	a.out.Answered, a.out.Refused, a.out.Status = a.model, true, http.StatusBadRequest
	a.out.Err = e
}
