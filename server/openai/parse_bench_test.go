package openai_test

import (
	"testing"

	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// BenchmarkParse is the parse of a long agent session (600 turns with
// tool calls and 4 KB tool results, 2.7 MB) and of 100,000 one-word
// messages, on Chat Completions and Responses: the part of
// BenchmarkGatewayHandler's large calls that grows with the body.
func BenchmarkParse(b *testing.B) {
	for _, c := range []struct {
		name string
		api  openai.API
		body string
	}{
		{"chat-2.7MB", openai.Chat, upstreamtest.AgentChat(600)},
		{"chat-100k-short", openai.Chat, upstreamtest.ShortTurnsChat(100_000)},
		{"responses-2.7MB", openai.Responses, upstreamtest.AgentResponses(600)},
		{"responses-100k-short", openai.Responses, upstreamtest.ShortTurnsResponses(100_000)},
	} {
		raw := []byte(c.body)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := openai.Parse(c.api, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
