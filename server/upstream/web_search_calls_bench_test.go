package upstream

import (
	"strings"
	"testing"
)

// A long agent answer: many output items, a few of them searches.
func BenchmarkWebSearchCalls(b *testing.B) {
	item := `{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"` + strings.Repeat("some answer text ", 200) + `"}]}`
	search := `{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"q"}}`
	items := make([]string, 0, 200)
	for i := range 200 {
		if i%10 == 0 {
			items = append(items, search)
		} else {
			items = append(items, item)
		}
	}
	output := []byte("[" + strings.Join(items, ",") + "]")
	b.SetBytes(int64(len(output)))
	b.ReportAllocs()
	for b.Loop() {
		if webSearchCalls(output) != 20 {
			b.Fatal("miscounted")
		}
	}
}
