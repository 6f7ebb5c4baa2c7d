package upstream

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/router"
)

// FuzzResponsesAnthropicStream: no sequence of upstream events makes the
// stream translation panic, and every event it writes is a JSON object
// whose type is its event name.
func FuzzResponsesAnthropicStream(f *testing.F) {
	f.Add(`{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3}}}` + "\n" +
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n" +
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}` + "\n" +
		`{"type":"content_block_stop","index":0}` + "\n" +
		`{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}` + "\n" +
		`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}` + "\n" +
		`{"type":"content_block_stop","index":1}` + "\n" +
		`{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":4}}` + "\n" +
		`{"type":"message_stop"}`)
	f.Add(`{"type":"content_block_start","index":2,"content_block":{"type":"text","text":"x"}}` + "\n" +
		`{"type":"error","error":{"message":"boom"}}` + "\n" + `{"type":"message_stop"}`)
	f.Fuzz(func(t *testing.T, events string) {
		s := newResponsesAnthropicStream(router.Model{ID: "m-id", Name: "m"}, settingsOf(nil))
		for _, line := range strings.Split(events, "\n") {
			for _, ev := range s.translate(sseEvent{data: []byte(line)}) {
				var e struct {
					Type string `json:"type"`
				}
				if err := json.Unmarshal(ev.data, &e); err != nil || e.Type != ev.name {
					t.Fatalf("event %q carries %s", ev.name, ev.data)
				}
			}
		}
		_, _ = s.failure()
		_, _ = s.usage()
	})
}
