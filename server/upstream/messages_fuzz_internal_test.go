package upstream

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/router"
)

// FuzzMessagesToChat: no Messages body makes the translation panic, and
// what it accepts comes out as a Chat Completions body with messages.
func FuzzMessagesToChat(f *testing.F) {
	f.Add(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
	f.Add(`{"model":"m","max_tokens":5,"system":[{"type":"text","text":"s"}],"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"a":1}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":true,"content":"boom"},{"type":"image","source":{"type":"url","url":"http://x/y.png"}}]}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"any","disable_parallel_tool_use":true}}`)
	m := router.Model{ID: "m-id", Name: "m", Provider: "openai", Format: "OpenAI"}
	f.Fuzz(func(t *testing.T, body string) {
		out, err := MessagesToChat([]byte(body), m)
		if err != nil {
			return
		}
		var chat struct {
			Model    string            `json:"model"`
			Messages []json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(out, &chat); err != nil {
			t.Fatalf("translation of %q is not a JSON object: %s", body, out)
		}
		if chat.Messages == nil {
			t.Fatalf("translation of %q has no messages: %s", body, out)
		}
	})
}

// FuzzChatMessagesStream: no sequence of upstream events makes the stream
// translation panic, and every event it writes is a JSON object whose
// type is its event name.
func FuzzChatMessagesStream(f *testing.F) {
	f.Add(`{"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}` + "\n" +
		`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":2,"id":"a","function":{"name":"f","arguments":"{"}}]}}]}` + "\n" +
		`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}` + "\n" +
		`{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}` + "\n[DONE]")
	f.Fuzz(func(t *testing.T, events string) {
		s := newChatMessagesStream(router.Model{ID: "m-id", Name: "m"})
		check := func(evs []sseEvent) {
			for _, ev := range evs {
				var e struct {
					Type string `json:"type"`
				}
				if err := json.Unmarshal(ev.data, &e); err != nil || e.Type != ev.name {
					t.Fatalf("event %q carries %s", ev.name, ev.data)
				}
			}
		}
		for _, line := range strings.Split(events, "\n") {
			check(s.translate(sseEvent{data: []byte(line)}))
		}
		check(s.end())
	})
}
