package upstream_test

import (
	"testing"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// BenchmarkTranslateAgentTurn translates an agent's 270 KB turn (see
// upstreamtest.AgentChat) for a model of the other provider, each way the
// gateway translates a request.
func BenchmarkTranslateAgentTurn(b *testing.B) {
	claude := anthropicModel("claude-x")
	gpt := router.Model{ID: "gpt-x-id", Name: "gpt-x", Provider: "openai", Format: "OpenAI"}
	for _, tc := range []struct {
		name string
		body string
		to   func([]byte, router.Model) ([]byte, error)
		m    router.Model
	}{
		{"chat-to-claude", upstreamtest.AgentChat(60), upstream.ToAnthropic, claude},
		{"responses-to-claude", upstreamtest.AgentResponses(60), upstream.ResponsesToAnthropic, claude},
		{"messages-to-chat", upstreamtest.AgentMessages(60), upstream.MessagesToChat, gpt},
	} {
		body := []byte(tc.body)
		b.Run(tc.name, func(b *testing.B) {
			if _, err := tc.to(body, tc.m); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.to(body, tc.m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
