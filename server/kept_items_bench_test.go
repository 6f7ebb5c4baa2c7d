package server

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/internal/itemid"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/store"
)

// BenchmarkResolveKeptItems is what the item_references of one Responses
// call to answers the gateway keeps cost before routing, read from SQLite:
// kept-N names one message of each of N of the caller's kept answers (an
// AI SDK chat N turns long), unkept-N N ids made like the gateway's whose
// answers are not kept (a client sending ids of its own making, about 45
// bytes each: 20 MB of them is 450,000).
func BenchmarkResolveKeptItems(b *testing.B) {
	const key = "id-sk-bench"
	ctx := context.Background()
	st, err := store.Open(filepath.Join(b.TempDir(), "kept.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	const most = 50_000
	for i := range most {
		id := fmt.Sprintf("resp_bench_%d", i)
		msg := itemid.Make("msg_", id, 0)
		require.NoError(b, st.PutResponse(ctx, store.Response{ID: id, Model: "claude", KeyID: key,
			Input:  []byte(`[{"role":"user","content":"hi"}]`),
			Output: []byte(`[{"role":"assistant","content":"Hello from claude."}]`),
			Body: []byte(`{"id":"` + id + `","object":"response","status":"completed","model":"claude","output":[` +
				`{"id":"` + msg + `","type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello from claude."}]}]}`)}))
	}
	srv := New(Config{Responses: sqliteResponses{st}, Keys: keyStore{}, RequireKeys: true, MaxBodyBytes: 64 << 20})
	for _, kept := range []bool{true, false} {
		for _, n := range []int{10, 1_000, most} {
			var body strings.Builder
			body.WriteString(`{"model":"model-router","input":[`)
			for i := range n {
				resp := fmt.Sprintf("resp_bench_%d", i)
				if !kept {
					resp = fmt.Sprintf("resp_gone_%d", i)
				}
				fmt.Fprintf(&body, `{"type":"item_reference","id":%q},`, itemid.Make("msg_", resp, 0))
			}
			body.WriteString(`{"role":"user","content":"go on"}]}`)
			raw := []byte(body.String())
			name := fmt.Sprintf("unkept-%d", n)
			if kept {
				name = fmt.Sprintf("kept-%d", n)
			}
			b.Run(name, func(b *testing.B) {
				resolve := func() *StoredResponse {
					req, err := openai.Parse(openai.Responses, raw)
					require.NoError(b, err)
					writer, err := srv.resolveKeptItems(ctx, &routed{raw: raw, own: raw, req: req, keyID: key})
					require.NoError(b, err)
					return writer
				}
				require.Equal(b, kept, resolve() != nil)
				b.ReportAllocs()
				for b.Loop() {
					resolve()
				}
			})
		}
	}
}
