package upstream

import (
	"strings"
	"testing"
)

// BenchmarkChoicesAskedOfALongConversation reads n from a 1.1 MB Chat
// Completions body, as every streamed attempt does: the cost of finding
// one top-level member in a long conversation's body.
func BenchmarkChoicesAskedOfALongConversation(b *testing.B) {
	msg := `{"role":"user","content":"` + strings.Repeat("lorem ipsum dolor sit amet ", 40) + `"},`
	body := []byte(`{"model":"r","stream":true,"messages":[` + strings.Repeat(msg, 1000) + `{"role":"user","content":"hi"}],"n":2}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if choicesAsked(body) != 2 {
			b.Fatal("n is 2")
		}
	}
}
