package upstream

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// Limits on a provider's error body: what is kept whole, and how far a
// larger one is read for its error's type and message.
const (
	maxErrorBody      = 1 << 20
	maxLargeErrorBody = 16 << 20
	maxLargeMessage   = 1000 // runes of a large error's message kept
)

// readErrorBody reads a provider's error body once, for both refusesGateway
// and the client's copy of the error. A body over maxErrorBody is no JSON
// when cut there, yet its error is still the provider's: servers that echo
// the client's input in a validation error (vLLM, SGLang on FastAPI) send
// megabytes for one base64 image. Such a body is read on, value by value,
// for its error object, which takes its place with the message shortened,
// so the client gets the provider's type and message as for any 4xx.
//
// The body comes back redacted (provider keys removed), and redacted
// before anything is cut from it: a key the provider echoes across a cut
// would otherwise leave the part before the cut behind. It comes back
// UTF-8, each byte that begins no valid UTF-8 sequence as U+FFFD, as an answer
// does: an error in the client's own shape is passed on as it came, and a
// message cut inside a character (a server's own, or a proxy's) could not
// be read by a strict client (Python's json, as the SDKs read an error).
func readErrorBody(resp *http.Response, redact func(string) string) []byte {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
	if len(raw) <= maxErrorBody {
		return jsonscan.WholeUTF8([]byte(redact(string(raw))))
	}
	rest := io.LimitReader(resp.Body, maxLargeErrorBody-maxErrorBody)
	if small, ok := shortenedError(io.MultiReader(bytes.NewReader(raw), rest), redact); ok {
		return small
	}
	// No JSON: only its first 500 bytes are ever shown (wrapErrorText).
	// (Redacting shortens it: cut what is left, not past its end.)
	red := []byte(redact(string(raw)))
	return jsonscan.WholeUTF8(red[:min(len(red), maxErrorBody)])
}

// shortenedError reads an error body in OpenAI's or Anthropic's shape from
// r one top-level member at a time, and writes its error object again with
// the message redacted and shortened; ok is false when r holds no such
// object.
func shortenedError(r io.Reader, redact func(string) string) ([]byte, bool) {
	d := json.NewDecoder(r)
	d.UseNumber()
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var topType any
	var e map[string]any
	for d.More() && e == nil {
		key, err := d.Token()
		if err != nil {
			return nil, false
		}
		var v any
		switch key {
		case "type":
			if d.Decode(&v) != nil {
				return nil, false
			}
			topType = v
		case "error":
			if d.Decode(&v) != nil {
				return nil, false
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			e = errorMembers(obj, redact)
		default:
			var skip json.RawMessage
			if d.Decode(&skip) != nil {
				return nil, false
			}
		}
	}
	if e == nil {
		return nil, false
	}
	wire := map[string]any{"error": e}
	if topType == "error" { // Anthropic's shape, kept for refusesGateway and Messages clients
		wire["type"] = "error"
	}
	b, err := marshalPlain(wire)
	return b, err == nil
}

// errorMembers keeps what a client's SDK and refusesGateway read of an
// error object, its message redacted, then shortened.
func errorMembers(obj map[string]any, redact func(string) string) map[string]any {
	e := map[string]any{}
	for _, k := range []string{"message", "type", "param", "code"} {
		if v, ok := obj[k]; ok {
			e[k] = v
		}
	}
	if msg, ok := e["message"].(string); ok {
		msg = redact(msg)
		e["message"] = msg
		if r := []rune(msg); len(r) > maxLargeMessage {
			e["message"] = string(r[:maxLargeMessage]) + "..."
		}
	}
	return e
}

// errorMember is an error object's message, or the error itself where a
// server gives it as a bare string: Hugging Face TGI's router answers and
// streams {"error": "...", "error_type": "..."}, and LM Studio answers a
// path it has no route for with {"error": "Unexpected endpoint or method.
// (POST /v1/responses)"}.
type errorMember struct {
	Message string
}

func (e *errorMember) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &e.Message)
	}
	var obj struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	e.Message = obj.Message
	return nil
}

// openAIErrorMember is OpenAI's error object for msg, of the server's
// type (TGI's error_type) when it gave one as a string.
func openAIErrorMember(msg string, typ json.RawMessage) json.RawMessage {
	t := "server_error"
	var given string
	if json.Unmarshal(typ, &given) == nil && given != "" {
		t = given
	}
	b, _ := json.Marshal(map[string]any{"message": msg, "type": t, "param": nil, "code": nil})
	return b
}

// foreignError reads an error body in a server's own shape rather than
// OpenAI's or Anthropic's: SGLang's (and vLLM's before it nested the
// error) {"object": "error", "message": ..., "type": ...}, TGI's {"error":
// "...", "error_type": "..."}, or FastAPI's {"detail": "..."} (a string;
// a validation error's list of problems is left as it is). typ is the
// server's type of error, "" when it gives none.
func foreignError(raw []byte) (msg, typ string, ok bool) {
	var wire struct {
		Object    string          `json:"object"`
		Message   string          `json:"message"`
		Type      string          `json:"type"`
		Error     json.RawMessage `json:"error"`
		ErrorType string          `json:"error_type"`
		Detail    json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(raw, &wire) != nil {
		return "", "", false
	}
	var s string
	switch {
	case wire.Object == "error" && wire.Message != "" && len(wire.Error) == 0:
		return wire.Message, wire.Type, true
	case len(wire.Error) > 0 && wire.Error[0] == '"' && json.Unmarshal(wire.Error, &s) == nil && s != "":
		return s, wire.ErrorType, true
	case len(wire.Detail) > 0 && wire.Detail[0] == '"' && json.Unmarshal(wire.Detail, &s) == nil && s != "":
		return s, "", true
	}
	return "", "", false
}
