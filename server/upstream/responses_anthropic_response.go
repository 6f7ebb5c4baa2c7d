package upstream

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/itemid"
)

// responseObject is a Responses API response as we write it for an
// Anthropic answer. Like OpenAI's, it repeats the settings the call was
// made with (responseSettings); the members OpenAI always sends are there,
// with OpenAI's defaults where the call set none, so strict clients find
// them.
type responseObject struct {
	ID                string             `json:"id"`
	Object            string             `json:"object"`
	CreatedAt         int64              `json:"created_at"`
	Status            string             `json:"status"`
	Error             *struct{}          `json:"error"`
	IncompleteDetails *incompleteDetails `json:"incomplete_details"`
	Model             string             `json:"model"`
	Output            []any              `json:"output"`
	Usage             *responsesUsage    `json:"usage"`
	// CompletedAt is when the answer was completed, null until then and
	// for one cut short, as OpenAI's ("Only present when the status is
	// completed").
	CompletedAt *int64 `json:"completed_at"`
	// Background, Text and Reasoning are the same for every answer of
	// Claude's (claudeText, claudeReasoning).
	Background bool            `json:"background"`
	Text       json.RawMessage `json:"text"`
	Reasoning  json.RawMessage `json:"reasoning"`
	responseSettings
}

// What every answer of Claude's says of the settings it was made with,
// whatever the call asked: not in the background (a background call never
// reaches Claude, refuseStored); in plain text unless the call's
// text.format was a json_schema, which Claude was held to
// (output_config.format) and the answer repeats as sent (textOf); a
// verbosity is not sent to Claude, so none is named; with
// no reasoning effort or summary (Claude is sent no thinking), as OpenAI's
// answer of a model that does not reason says.
var (
	claudeText      = json.RawMessage(`{"format":{"type":"text"}}`)
	claudeReasoning = json.RawMessage(`{"effort":null,"summary":null}`)
)

// responseSettings are the call's settings a response repeats, read from
// the client's body; a member the call did not set gets OpenAI's default.
type responseSettings struct {
	Instructions      json.RawMessage `json:"instructions"`
	Metadata          json.RawMessage `json:"metadata"`
	ParallelToolCalls bool            `json:"parallel_tool_calls"`
	Temperature       json.RawMessage `json:"temperature"`
	ToolChoice        json.RawMessage `json:"tool_choice"`
	Tools             json.RawMessage `json:"tools"`
	TopP              json.RawMessage `json:"top_p"`
	MaxOutputTokens   json.RawMessage `json:"max_output_tokens"`
	// PreviousResponseID is the response the call continues, null for
	// none.
	PreviousResponseID json.RawMessage `json:"previous_response_id"`
	// Store is whether the gateway keeps the answer, which is then read
	// back by its id: as the call set it (true unless it sent false),
	// and false where the gateway keeps none (attempt.responseSettings).
	Store bool `json:"store"`
	// Settings Claude is not sent, or that cannot apply to it, repeated as
	// the call sent them as OpenAI repeats them: Claude's translation
	// never truncates (a prompt it cannot hold leaves it out), a call that
	// asks log probabilities leaves it out, and max_tool_calls counts
	// built-in tools, which it is never given.
	Truncation       json.RawMessage `json:"truncation"`
	TopLogprobs      json.RawMessage `json:"top_logprobs"`
	MaxToolCalls     json.RawMessage `json:"max_tool_calls"`
	User             json.RawMessage `json:"user"`
	SafetyIdentifier json.RawMessage `json:"safety_identifier"`
	PromptCacheKey   json.RawMessage `json:"prompt_cache_key"`
	// PromptCacheRetention is repeated as sent, as the settings above:
	// Claude's cache is not told it.
	PromptCacheRetention json.RawMessage `json:"prompt_cache_retention"`
	// ServiceTier is the tier the call asked ("auto", OpenAI's default,
	// when none) while the answer is in progress; finish replaces it with
	// the tier that served it (servedTier), as OpenAI's finished response
	// names the processing mode it was served at rather than the one
	// asked ("This response value may be different from the value set in
	// the parameter", openai-go's Response.ServiceTier).
	ServiceTier json.RawMessage `json:"service_tier"`
	// format is the call's text.format where it is a json_schema, nil
	// otherwise (textOf).
	format json.RawMessage
}

// textOf is the text member of an answer of Claude's to a call with
// settings s: the json_schema format it was held to, as the call sent it,
// or plain text.
func textOf(s responseSettings) json.RawMessage {
	if s.format == nil {
		return claudeText
	}
	out, err := json.Marshal(map[string]json.RawMessage{"format": s.format})
	if err != nil {
		return claudeText
	}
	return out
}

// settingsOf reads the settings a response repeats from a Responses body.
func settingsOf(body []byte) responseSettings {
	// text.format is read in the same pass as the settings: the body
	// holds the whole conversation.
	in := struct {
		responseSettings
		Text struct {
			Format json.RawMessage `json:"format"`
		} `json:"text"`
	}{responseSettings: responseSettings{ParallelToolCalls: true, Store: true}}
	_ = json.Unmarshal(body, &in) // what does not read keeps its default
	s := in.responseSettings
	var kind struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(in.Text.Format, &kind) == nil && kind.Type == "json_schema" {
		s.format = in.Text.Format
	}
	def := func(v *json.RawMessage, d string) {
		if len(*v) == 0 || string(*v) == "null" {
			*v = json.RawMessage(d)
		}
	}
	def(&s.Instructions, "null")
	def(&s.Metadata, "{}")
	def(&s.Temperature, "1")
	def(&s.ToolChoice, `"auto"`)
	def(&s.Tools, "[]")
	def(&s.TopP, "1")
	def(&s.MaxOutputTokens, "null")
	def(&s.PreviousResponseID, "null")
	def(&s.Truncation, `"disabled"`)
	def(&s.TopLogprobs, "0")
	def(&s.MaxToolCalls, "null")
	def(&s.User, "null")
	def(&s.SafetyIdentifier, "null")
	def(&s.PromptCacheKey, "null")
	def(&s.PromptCacheRetention, "null")
	def(&s.ServiceTier, `"auto"`)
	return s
}

// responseSettings are the settings a's translated Responses answer
// repeats: its call's, and the kept answer it continues (Call.Continues),
// which the call's rebuilt body no longer names.
func (a *attempt) responseSettings() responseSettings {
	s := settingsOf(a.call.Raw)
	s.Store = a.call.Keep != nil
	if id := a.continuesJSON(); id != nil {
		s.PreviousResponseID = id
	}
	return s
}

// continuesJSON is Call.Continues as a JSON string, nil when the call
// continues no kept answer.
func (a *attempt) continuesJSON() json.RawMessage {
	if a.call.Continues == "" {
		return nil
	}
	id, _ := json.Marshal(a.call.Continues)
	return id
}

// cutAtOutputLimit reports an Anthropic stop_reason that ended the answer
// at its output limit, in the middle of its last block: the stop reasons
// Chat Completions calls "length" (finishReason, the one rule for both).
func cutAtOutputLimit(stop string) bool {
	return finishReason(stop) == "length"
}

// lastItemStatus is the status of an answer's last output item: the one
// Claude was writing when it stopped, "incomplete" when it was cut off:
// by its output limit, or by a refusal (stop_reason "refusal", which
// Anthropic's classifiers may give in the middle of an answer), the two
// stops that make the response incomplete (finish). OpenAI's Responses API
// ends such an item so, the last item of an incomplete response (its
// output message's status "One of in_progress, completed, or incomplete";
// Open Responses, the specification written from it: an item that ends
// "incomplete" must be the last, and its response incomplete too). The
// items before it were finished.
func lastItemStatus(stop string) string {
	if cutAtOutputLimit(stop) || stop == "refusal" {
		return "incomplete"
	}
	return "completed"
}

type incompleteDetails struct {
	Reason string `json:"reason"`
}

// responsesUsage is the Responses API's usage object.
type responsesUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

func toResponsesUsage(u router.Usage) *responsesUsage {
	r := &responsesUsage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
	r.InputTokensDetails.CachedTokens = u.CachedTokens
	r.OutputTokensDetails.ReasoningTokens = u.ReasoningTokens
	return r
}

// messageItem is an assistant message output item; its content parts are
// outputText and refusalPart.
type messageItem struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Status  string `json:"status"`
	Role    string `json:"role"`
	Content []any  `json:"content"`
}

type outputText struct {
	Type        string     `json:"type"`
	Text        string     `json:"text"`
	Annotations []struct{} `json:"annotations"`
}

func newOutputText(text string) outputText {
	return outputText{Type: "output_text", Text: text, Annotations: []struct{}{}}
}

// functionCallItem is a function call output item; CallID is what the
// client sends back with the function's output (Anthropic's tool_use id).
type functionCallItem struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Arguments string `json:"arguments"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
}

func newResponseObject(id string, m router.Model, settings responseSettings) *responseObject {
	return &responseObject{
		ID: id, Object: "response", CreatedAt: time.Now().Unix(), Status: "in_progress",
		Model: modelID(m), Output: []any{}, Text: textOf(settings), Reasoning: claudeReasoning, responseSettings: settings,
	}
}

// servedTier is the service_tier of a finished answer of Claude's, from
// the tier Anthropic says served it (anthropicTier): "priority" for its
// priority tier, else "default", OpenAI's name for standard processing,
// which is also what an answer that names no tier (a server of one's own)
// got.
func servedTier(anthropic string) json.RawMessage {
	if anthropic == "priority" {
		return json.RawMessage(`"priority"`)
	}
	return json.RawMessage(`"default"`)
}

// anthropicTier is the tier an Anthropic usage object says served the
// answer (its service_tier: "standard", "priority" or "batch"), "" when
// it names none.
func anthropicTier(usage json.RawMessage) string {
	var u struct {
		ServiceTier string `json:"service_tier"`
	}
	if len(usage) == 0 || json.Unmarshal(usage, &u) != nil {
		return ""
	}
	return u.ServiceTier
}

// finish sets the status from Anthropic's stop_reason, the usage and the
// tier that served the answer (servedTier).
func (r *responseObject) finish(stop string, u router.Usage, tier json.RawMessage) {
	r.ServiceTier = tier
	r.Status = "completed"
	switch {
	case cutAtOutputLimit(stop):
		r.Status, r.IncompleteDetails = "incomplete", &incompleteDetails{Reason: "max_output_tokens"}
	case stop == "refusal":
		r.Status, r.IncompleteDetails = "incomplete", &incompleteDetails{Reason: "content_filter"}
	}
	r.Usage = toResponsesUsage(u)
	if r.Status == "completed" {
		now := time.Now().Unix()
		r.CompletedAt = &now
	}
}

// newResponseID is the id of a Responses answer the gateway writes or
// keeps: Claude's, translated, and a kept answer of a server that keeps
// nothing (keepsAnswerOf). It is the gateway's own, "resp_" and 24 random
// hex digits, never made from the upstream's id: a kept answer is found
// by its id (previous_response_id, GET and DELETE, an item_reference, the
// decision log's owner key and model), and an upstream's ids may repeat
// (a proxy or a server of one's own behind an anthropic-kind provider may
// give two answers one message id; Ollama's are a random number below
// 999,999), which would continue one conversation with another's history.
// Its characters are those the server's continuation pinning reads
// (openai.ResponseID).
func newResponseID() string { return "resp_" + randomID() }

// anthropicToResponse turns an Anthropic answer into a Responses API
// response with `model` set to m's ID and details added: adjacent text
// blocks make one message item, each tool_use a function_call item, and
// thinking blocks are dropped (signed for Anthropic, unreadable to an
// OpenAI client). Item ids carry the response's id (itemid), so a client's
// item_reference to one finds the kept answer. keep, when not nil, gets
// the finished response and its encoding. The usage returned is the
// provider's; the response reports estimate where it reported none.
func anthropicToResponse(raw []byte, m router.Model, settings responseSettings, details jsonAppender, keep func(*responseObject, []byte), estimate router.Usage) ([]byte, router.Usage, error) {
	var in anthropicAnswer
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, router.Usage{}, fmt.Errorf("answer is not an Anthropic message")
	}
	usage, shown := shownUsage(in.Usage, nil, estimate)
	out := newResponseObject(newResponseID(), m, settings)
	var text *outputText // the open message item's text
	for _, b := range in.Content {
		switch b.Type {
		case "text":
			if text == nil {
				part := newOutputText("")
				text = &part
				out.Output = append(out.Output, &messageItem{ID: itemid.Make("msg_", out.ID, len(out.Output)), Type: "message", Status: "completed", Role: "assistant",
					Content: []any{text}})
			}
			text.Text += b.Text
		case "tool_use":
			text = nil
			out.Output = append(out.Output, &functionCallItem{
				ID: itemid.Make("fc_", out.ID, len(out.Output)), Type: "function_call", Status: "completed",
				Arguments: string(compactJSON(nullToNil(b.Input))), CallID: b.ID, Name: b.Name,
			})
		}
	}
	if n := len(out.Output); n > 0 {
		switch it := out.Output[n-1].(type) {
		case *messageItem:
			it.Status = lastItemStatus(in.StopReason)
		case *functionCallItem:
			it.Status = lastItemStatus(in.StopReason)
		}
	}
	if in.StopReason == "refusal" {
		out.Output = withRefusal(out.Output, out.ID, refusalWords(in.StopDetails))
	}
	out.finish(in.StopReason, shown, servedTier(anthropicTier(in.Usage)))
	body, err := marshalPlain(out)
	if err != nil {
		return nil, usage, err
	}
	if keep != nil {
		keep(out, body)
	}
	return withMember(body, "model_selection_details", details), usage, nil
}

// withRefusal adds Claude's refusal to an answer's output as a "refusal"
// content part, where OpenAI's clients read one: after the text of the
// message Claude was writing when it refused, which stays output_text as
// a stream sent it, or, when the answer ends with a function call or has
// no output, in a message item of its own after it, incomplete as the
// item cut off before it. The item's id carries the response's id, as
// every item's does.
func withRefusal(output []any, responseID, refusal string) []any {
	if n := len(output); n > 0 {
		if it, ok := output[n-1].(*messageItem); ok {
			it.Content = append(it.Content, newRefusalPart(refusal))
			return output
		}
	}
	return append(output, &messageItem{ID: itemid.Make("msg_", responseID, len(output)), Type: "message",
		Status: "incomplete", Role: "assistant", Content: []any{newRefusalPart(refusal)}})
}
