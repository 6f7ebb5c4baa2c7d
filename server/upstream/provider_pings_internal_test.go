package upstream

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// silentProxy relays TCP connections to a provider until silence is
// called: from then on the connections it carries pass nothing on, either
// way, and stay open, as a connection that a NAT or load balancer dropped
// without a word. Connections made after that are relayed as before.
type silentProxy struct {
	addr string
	// silent holds the number of connections accepted when silence was
	// called; those are the dropped ones.
	silent   atomic.Int64
	accepted atomic.Int64
	// toGateway counts the reads relayed from the provider.
	toGateway atomic.Int64
}

func newSilentProxy(t *testing.T, provider string) *silentProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	p := &silentProxy{addr: ln.Addr().String()}
	p.silent.Store(-1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := p.accepted.Add(1)
			go p.relay(c, provider, n)
		}
	}()
	return p
}

func (p *silentProxy) silence() { p.silent.Store(p.accepted.Load()) }

func (p *silentProxy) relay(gw net.Conn, provider string, n int64) {
	up, err := net.Dial("tcp", provider)
	if err != nil {
		_ = gw.Close()
		return
	}
	pass := func(dst, src net.Conn, count *atomic.Int64) {
		defer func() { _ = gw.Close(); _ = up.Close() }()
		buf := make([]byte, 32<<10)
		for {
			k, err := src.Read(buf)
			if err != nil {
				return
			}
			if n <= p.silent.Load() {
				continue // dropped: read and lost
			}
			if count != nil {
				count.Add(1)
			}
			if _, err := dst.Write(buf[:k]); err != nil {
				return
			}
		}
	}
	go pass(up, gw, nil)
	pass(gw, up, &p.toGateway)
}

// sharedWriter is a client's side of a stream that the test reads while
// the Forwarder writes it.
type sharedWriter struct {
	h    http.Header
	mu   sync.Mutex
	body bytes.Buffer
}

func (w *sharedWriter) Header() http.Header { return w.h }
func (w *sharedWriter) WriteHeader(int)     {}
func (w *sharedWriter) Flush()              {}
func (w *sharedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.body.Write(b)
}

func (w *sharedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.body.String()
}

// A provider's HTTP/2 connection that goes silent under a stream whose
// model is still thinking is found dead by its unanswered ping: the
// stream ends with its error event long before the call's deadline, and
// the next call reaches the provider on a new connection.
func TestDroppedHTTP2ConnectionIsClosedByItsUnansweredPing(t *testing.T) {
	fake := upstreamtest.NewOpenAITLS(t)
	fake.Set("model-a", upstreamtest.Behavior{Stall: true, StallAfter: 2})
	proxy := newSilentProxy(t, strings.TrimPrefix(fake.Root, "https://"))

	// The gateway's client, trusting the fake's certificate, with pings
	// sent after a quiet 50 ms rather than 30 s so the test need not wait
	// (and a second to answer, ample on a busy machine).
	client := newClient(http.HTTP2Config{SendPingTimeout: 50 * time.Millisecond, PingTimeout: time.Second})
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(fake.CertPEM()))
	tr := client.Transport.(*http.Transport)
	cfg := tr.TLSClientConfig.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.RootCAs = roots
	tr.TLSClientConfig = cfg
	t.Cleanup(tr.CloseIdleConnections)
	base := (&url.URL{Scheme: "https", Host: proxy.addr, Path: "/v1"}).String()
	fwd := &Forwarder{
		Providers: FromEnv(func(k string) string {
			return map[string]string{"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "sk-test"}[k]
		}),
		Client:   client,
		Deadline: 10 * time.Minute, AttemptTimeout: 10 * time.Minute,
	}
	model := router.Model{ID: "model-a-id", Name: "model-a", Provider: "openai", Format: "OpenAI"}
	call := func(ctx context.Context, w http.ResponseWriter, stream bool) Outcome {
		raw := `{"model":"router","stream":` + map[bool]string{true: "true", false: "false"}[stream] +
			`,"messages":[{"role":"user","content":"hi"}]}`
		return fwd.Forward(ctx, w, Call{API: APIChatCompletions, Raw: []byte(raw), Stream: stream, Order: []router.Model{model}})
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &sharedWriter{h: http.Header{}}
	outcome := make(chan Outcome, 1)
	go func() { outcome <- call(ctx, w, true) }()
	require.Eventually(t, func() bool { return strings.Contains(w.String(), `"content":"Hello "`) },
		5*time.Second, 5*time.Millisecond, "the answer began")

	// While the provider answers them, pings keep the silent stream open.
	seen := proxy.toGateway.Load()
	require.Eventually(t, func() bool { return proxy.toGateway.Load() >= seen+3 }, 5*time.Second, 5*time.Millisecond,
		"the provider answered pings on the quiet stream")
	select {
	case out := <-outcome:
		t.Fatalf("a silent stream whose provider answers pings ended: %+v", out)
	default:
	}
	assert.Zero(t, fake.Cancelled("model-a"))

	proxy.silence()
	var out Outcome
	select {
	case out = <-outcome:
	case <-time.After(10 * time.Second):
		t.Fatal("the dropped connection still held the stream 10s later (its deadline is 10 minutes away)")
	}
	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.True(t, out.Wrote)
	assert.Contains(t, w.String(), "upstream_stream_interrupted")

	fake.Set("model-a", upstreamtest.Behavior{})
	rec := &sharedWriter{h: http.Header{}}
	next := call(context.Background(), rec, false)
	require.Equal(t, http.StatusOK, next.Status, rec.String())
	assert.Contains(t, rec.String(), "Hello from model-a.")
	reqs := fake.RequestsFor("model-a")
	require.Len(t, reqs, 2)
	assert.Equal(t, 2, reqs[1].ProtoMajor)
	assert.NotEqual(t, reqs[0].RemoteAddr, reqs[1].RemoteAddr, "a new connection")
}
