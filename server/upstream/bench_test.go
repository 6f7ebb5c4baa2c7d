package upstream_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// BenchmarkForwardOverhead compares a non-streaming chat completion sent
// straight to the fake provider with the same request sent through a
// gateway that forwards it (rewrite, upstream call, answer rewrite with
// details). Both go over loopback HTTP with keep-alive; the difference per
// op is the forwarding overhead, the extra hop included.
func BenchmarkForwardOverhead(b *testing.B) {
	fake := upstreamtest.NewOpenAI(b)
	fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{"OPENAI_BASE_URL": fake.URL}))}
	g := newGateway(b, fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))
	go func() { // the gateway reports every outcome; nobody reads them here
		for range g.outcomes {
		}
	}()
	body := []byte(`{"model":"model-a","temperature":0.3,"routing_config":{"mode":"cost"},"messages":[` +
		`{"role":"system","content":"You are a helpful assistant."},` +
		`{"role":"user","content":"Explain in two sentences why the sky is blue, for a ten year old."}]}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	run := func(b *testing.B, url string) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	}
	b.Run("direct", func(b *testing.B) { run(b, fake.URL+"/chat/completions") })
	b.Run("forwarded", func(b *testing.B) { run(b, g.URL+"/chat/completions") })
}

// BenchmarkForwardStream is one streamed chat completion through the
// gateway: its bytes allocated per op are what each concurrent stream
// holds while it runs (the event reader's buffer among them) plus what
// its events cost.
func BenchmarkForwardStream(b *testing.B) {
	fake := upstreamtest.NewOpenAI(b)
	fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{"OPENAI_BASE_URL": fake.URL}))}
	g := newGateway(b, fwd, upstream.APIChatCompletions, openAIModel("model-a"))
	go func() {
		for range g.outcomes {
		}
	}()
	body := []byte(`{"model":"model-a","stream":true,"messages":[{"role":"user","content":"Tell me a story."}]}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Post(g.URL+"/chat/completions", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
