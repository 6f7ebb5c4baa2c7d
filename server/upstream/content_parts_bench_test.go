package upstream

import (
	"fmt"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/router"
)

// BenchmarkRewriteChatAnswerWithLogprobs reads and rewrites a 1.3 MB Chat
// Completions answer of 4,000 tokens with top_logprobs=5, as a whole
// answer in the client's own API is: its logprobs' content is a list,
// which the quick test for content given as parts takes for one, so each
// choice's message is read as well (memberHasListContent).
func BenchmarkRewriteChatAnswerWithLogprobs(b *testing.B) {
	raw := logprobsAnswer(4000, 5)
	a := &attempt{model: router.Model{Name: "gpt-4o"}}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		obj, err := answerObject(APIChatCompletions, raw)
		if err != nil {
			b.Fatal(err)
		}
		if body, _ := a.rewriteAnswer(obj, nil); len(body) < len(raw) {
			b.Fatal("the rewritten answer lost its logprobs")
		}
	}
}

// logprobsAnswer is a Chat Completions answer of n tokens, each with its
// top alternatives' logprobs.
func logprobsAnswer(n, top int) []byte {
	var text, lp strings.Builder
	for i := range n {
		tok := fmt.Sprintf("tok%d", i%997)
		text.WriteString(tok)
		if i > 0 {
			lp.WriteByte(',')
		}
		fmt.Fprintf(&lp, `{"token":%q,"logprob":-0.%04d,"bytes":[116,111,107],"top_logprobs":[`, tok, i%10000)
		for j := range top {
			if j > 0 {
				lp.WriteByte(',')
			}
			fmt.Fprintf(&lp, `{"token":"a%d","logprob":-%d.%02d,"bytes":[97,%d]}`, j, j+1, i%100, 48+j)
		}
		lp.WriteString(`]}`)
	}
	return []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"` + text.String() + `","refusal":null},` +
		`"logprobs":{"content":[` + lp.String() + `],"refusal":null},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":12,"completion_tokens":` + fmt.Sprint(n) + `,"total_tokens":` + fmt.Sprint(n+12) + `}}`)
}
