package upstream

// What a self-hosted server does with the Responses API's state
// (previous_response_id, background), where it differs from OpenAI's.
//
//   - Ollama's Responses API keeps no answers and does not read
//     previous_response_id: it answers the turn alone, with a 200, and its
//     response object says "previous_response_id": null and "store": false
//     (ollama/ollama openai/responses.go; docs/api/openai-compatibility.mdx:
//     "Only the non-stateful flavor is supported (i.e., there is no
//     previous_response_id or conversation support)").
//   - vLLM, SGLang and OpenAI name the continued id back in every response
//     object (ResponsesResponse.from_request copies it from the request);
//     vLLM keeps answers only when started with
//     VLLM_ENABLE_RESPONSES_API_STORE=1 and otherwise answers a
//     continuation 404 "Response with id '…' not found." (param
//     response_id), the client's, and refuses background: true with a 400
//     (param background) (vllm-project/vllm
//     entrypoints/openai/responses/serving.py).
//   - llama.cpp's llama-server refuses previous_response_id with a 400
//     ("llama.cpp does not support 'previous_response_id'.",
//     tools/server/server-chat.cpp), the client's; ik_llama.cpp's with a
//     500 of the same words naming itself (unreadPrevious).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// keepsAnswerOf reports whether the gateway keeps a Responses answer whose
// response object's "store", "background" and "status" members are those
// (raw as sent; nil when the object has none) although the call did not
// ask store: false (Call.Keep is set only then), as it keeps Claude's: one
// the server says it keeps nothing of (Ollama's every answer), or one of a
// server of one's own that says nothing (leftToGateway). Its continuation
// then carries the whole conversation, which any model can answer,
// instead of going back to a server that would answer without it or
// refuse it.
func (a *attempt) keepsAnswerOf(store, background, status []byte) bool {
	return a.call.Keep != nil && a.provider.Kind != KindAnthropic &&
		(unstored(store) || store == nil && a.leftToGateway(background, status))
}

// leftToGateway reports whether the gateway keeps the answers of a server
// whose response objects have no "store" member: llama.cpp's (ggml-org/
// llama.cpp tools/server/server-task.cpp, to_json_oaicompat_resp), which
// keeps nothing and refuses previous_response_id, and vLLM's
// (vllm/entrypoints/openai/responses/protocol.py, ResponsesResponse),
// which keeps its answers only when started with
// VLLM_ENABLE_RESPONSES_API_STORE. Sending the whole conversation is
// right for any server, so one that does keep its answers only reads
// more prompt tokens. Not so for a provider's own API (PublicAPI), whose
// objects say what it stores, nor for a background job still running at
// its server (runningJob, its object's background and status): it is
// read from the server by its id (the gateway would keep it unfinished,
// under an id the server does not know). A background call answered at
// once, as llama.cpp answers every call (it reads no background), is no
// such job and is kept as any other.
func (a *attempt) leftToGateway(background, status []byte) bool {
	if ownAPI(a.provider) {
		return false
	}
	call, ok := jsonscan.ParseObject(a.call.Raw)
	return ok && !(string(bytes.TrimSpace(call.Get("background"))) == "true" && runningJob(background, status))
}

// runningJob reports a response object (its "background" and "status"
// members, raw) of a job its server runs on after answering: queued, or
// in progress and saying "background": true. A stream's opening object
// is in progress whether or not it is a job; only a job's says so.
func runningJob(background, status []byte) bool {
	st := string(bytes.TrimSpace(status))
	return st == `"queued"` || st == `"in_progress"` && string(bytes.TrimSpace(background)) == "true"
}

// keepNative keeps a whole JSON answer keepsAnswerOf took, under an id of
// the gateway's (newResponseID) in place of the server's, which may
// repeat, before it goes out, and returns it as the client gets it: with
// that id, "store": true (the gateway serves it by id) and the details.
func (a *attempt) keepNative(obj object, details jsonAppender) ([]byte, router.Usage) {
	id, _ := json.Marshal(newResponseID())
	obj.setString("id", id)
	obj.setString("store", []byte("true"))
	if obj.has("output") {
		// Only an output there is: answerObject takes a response object
		// without one, which must not go out with a member of no value.
		obj.setString("output", newKeptItems(string(id[1:len(id)-1])).output(obj.get("output")))
	}
	whole, usage := a.rewriteAnswer(obj, nil)
	a.call.Keep(Kept{ID: string(id[1 : len(id)-1]), Model: a.model, Output: obj.get("output"), Response: whole})
	return withMember(whole, "model_selection_details", details), usage
}

// readState reads what a streamed response object says of the Responses
// state, the first one deciding: an answer without the call's
// conversation (forgotPrevious), which it reports and which ends the
// stream, or one the gateway keeps (keepsAnswerOf), whose objects all go
// out with the gateway's id from then on, and its items with the
// gateway's ids (keptItems).
func (s *openAIStream) readState(resp map[string]json.RawMessage) (forgot bool) {
	if !s.answered {
		s.answered = true
		if s.forgets != nil && s.forgets(resp["previous_response_id"]) {
			s.forgot, s.errMsg, s.last = true, "answered without the conversation of previous_response_id", true
			return true
		}
		if s.failover && unstored(resp["store"]) && runningJob(resp["background"], resp["status"]) {
			// As a JSON answer's (unreadableJob): the stream would
			// carry the job, but one cut off could be neither resumed
			// nor polled by its id, which is what background is for.
			s.lostJob, s.errMsg, s.last = true, unreadableJobText, true
			return true
		}
		if s.keeps != nil && s.keeps(resp["store"], resp["background"], resp["status"]) {
			s.keptID, _ = json.Marshal(newResponseID())
			s.keptItems = newKeptItems(string(s.keptID[1 : len(s.keptID)-1]))
		}
	}
	s.unstored = s.unstored || unstored(resp["store"])
	if s.keptID != nil {
		resp["id"], resp["store"] = s.keptID, json.RawMessage("true")
		if out, ok := resp["output"]; ok {
			resp["output"] = s.keptItems.output(out)
		}
	}
	return false
}

// forgotPrevious reports whether a response object's previous_response_id
// member (raw as sent; nil when the object has none) says its server
// answered without the conversation the call's previous_response_id
// names: null (Ollama's) or "", which name no conversation. Another id is
// no sign of that: a proxy that hands out ids of its own (LiteLLM's) sends
// the provider's id on and passes on the provider's answer, which names
// the provider's id. An object without the member says nothing either
// way; both answers go out.
//
// Only a server of one's own, a proxy or DeepSeek's API is read so: a
// provider's own API that keeps its answers (keepsItsAnswers: OpenAI's,
// xAI's, Azure's) continues the id itself, and none is documented to name
// null for a continuation it answered, so its answer goes out as it came
// rather than be refused on a member whose echo no source promises.
func (a *attempt) forgotPrevious(named json.RawMessage) bool {
	if a.call.PreviousResponseID == "" || keepsItsAnswers(a.provider) {
		return false
	}
	named = bytes.TrimSpace(named)
	return string(named) == "null" || string(named) == `""`
}

// keepsItsAnswers reports whether p is a provider's own API that keeps its
// Responses answers (ownAPI): not DeepSeek's, whose Responses API is
// stateless, store and previous_response_id unsupported (the
// openai-interface crate's responses module, docs.rs, after DeepSeek's
// guide "Using the Responses API").
func keepsItsAnswers(p Provider) bool {
	return ownAPI(p) && apiHost(p.BaseURL) != apiHost(DefaultDeepSeekBaseURL)
}

// ownAPI reports whether p is a provider's own API (PublicAPI), any azure
// provider, or a proxy declared to reach OpenAI's (openAIsAPI), which
// passes on OpenAI's answers and what OpenAI keeps of them, rather than a
// server of one's own. Groq's API is read here as a server of one's own,
// as it was before it counted as a public API: its Responses API keeps no
// answers ("doesn't support stateful conversations yet", its Responses
// API guide) and no source says what its response object's store member
// holds, so the gateway keeps an answer that says nothing of it, and a
// continuation's answer naming a null id is one without the conversation.
func ownAPI(p Provider) bool {
	return p.Kind == KindAzure || PublicAPI(p.BaseURL) && apiHost(p.BaseURL) != apiHost(GroqBaseURL) || openAIsAPI(p)
}

// forgotten is the failure of an attempt whose answer forgotPrevious
// caught, or whose server refused the id (unreadPrevious): nothing of it
// went out, and the next model, whose server may keep the conversation,
// is tried. The model still answers calls that carry their conversation,
// so its health does not count it.
func (a *attempt) forgotten(what string) *retryable {
	return &retryable{unfit: true, forgot: true, msg: what + " (its server keeps no Responses state)"}
}

// unreadPrevious reports a continuation's refusal by a server that reads
// no previous_response_id: llama.cpp's 400 ("llama.cpp does not support
// 'previous_response_id'.", thrown as std::invalid_argument in
// tools/server/server-chat.cpp) or ik_llama.cpp's 500 (its own name in the
// same words, thrown as std::runtime_error in examples/server/
// server-chat.cpp, which its server's exception handler answers as a
// server_error, examples/server/server.cpp). The error's whole message,
// the server's name and those words, is that refusal in either status,
// not an outage; a message that only quotes them (a prompt holding the
// sentence, echoed in an outage's error) is not. The gateway did not keep
// the answer continued (one made before it kept those servers' answers,
// or with --keep-responses 0), and no model of that server can continue
// it.
func (a *attempt) unreadPrevious(status int, raw []byte) bool {
	if a.wireAPI() != APIResponses || a.call.PreviousResponseID == "" ||
		status != http.StatusBadRequest && status != http.StatusInternalServerError {
		return false
	}
	msg, _ := errorMessage(raw)
	server, ok := strings.CutSuffix(strings.ToLower(strings.TrimSpace(msg)), " does not support 'previous_response_id'.")
	return ok && server != "" && !strings.ContainsAny(server, " \t\n'")
}

// forgotConversation reports whether an attempt failed so (forgotten).
func forgotConversation(err error) bool {
	var rt *retryable
	return errors.As(err, &rt) && rt.forgot
}

// previousForgotten is the 400 of a continuation whose every model's server
// answered without its conversation or refused the id: only those models'
// provider knew the id, and sending the call again meets the same
// servers, so the client must carry the conversation itself: OpenAI's
// code for an answer it no longer has says so to clients that recover
// by sending the whole conversation.
func (f *Forwarder) previousForgotten(call Call, attempts []router.Attempt) error {
	return &router.Error{Code: router.EInvalid, Reason: apierr.PreviousResponseNotFound, Param: "previous_response_id", Final: true, Detail: attempts,
		Message: f.redact(fmt.Sprintf(
			"response %q cannot be continued: no model that could continue it has its conversation (%s); send the whole conversation in input",
			call.PreviousResponseID, attemptList(attempts)))}
}

// backgroundUnserved reports vLLM's refusal of background: true by a server
// started without its response store: a 400 whose param is "background"
// and whose message says the engine does not support the background mode.
// Its other background refusal, of background with store: false, is the
// client's call, which OpenAI refuses too.
func backgroundUnserved(status int, raw []byte) bool {
	if status != http.StatusBadRequest {
		return false
	}
	e, ok := readRefusal(raw)
	return ok && string(e.RawParam) == `"background"` && strings.Contains(e.Message, "does not support the background mode")
}

// unreadableJobText says why an attempt whose answer was an unreadableJob
// failed.
const unreadableJobText = `a background job it keeps nothing of ("store": false), which could never be read by its id`

// unreadableJob reports a background answer its server keeps nothing of: a
// response object still queued or in_progress that says "store": false.
// Its job may finish at the server, but nothing there can be read by the
// id (polled, streamed or cancelled), and a copy the gateway kept would
// stay queued forever.
func unreadableJob(obj object) bool {
	status := string(bytes.TrimSpace(obj.get("status")))
	return unstored(obj.get("store")) && (status == `"queued"` || status == `"in_progress"`)
}

// runsNoBackground is the failure of an attempt whose server cannot run the
// call's background: true (why says how it showed it): the server's
// setup, not the client's call, which another model's server may run, so,
// as for vLLM's refusal (backgroundUnserved), the model's health does not
// count it. The last model's is the gateway's 400 naming background,
// unless an earlier model may run the call on a retry: then the call is
// the 502 a client retries.
func (a *attempt) runsNoBackground(why string) *retryable {
	if a.last && !a.afterOutage {
		a.refuseAsGateway(&router.Error{Code: router.EInvalid, Reason: router.ReasonUnsupportedValue, Param: "background",
			Message: "the server of " + modelID(a.model) + " cannot run background responses: it answered " + why})
	}
	return &retryable{unfit: true, msg: why + " (the server runs no background responses)"}
}
