package upstream

import (
	"net/http"
	"time"
)

// defaultClient is the Forwarder's client unless one is set.
//
// It speaks HTTP/2 to a provider that offers it over TLS (OpenAI, Azure
// OpenAI and Anthropic do), so one connection carries a provider's
// concurrent calls, and HTTP/1.1 to one that does not (a plain http://
// base URL, such as a local vLLM or Ollama). That comes from
// DefaultTransport's ForceAttemptHTTP2, which the clone keeps: a Transport
// of one's own with its own dialer or TLS config stays on HTTP/1.1 without
// it.
//
// It keeps more idle connections per provider than DefaultTransport's 2,
// for providers on HTTP/1.1: a gateway sends many concurrent requests to
// few hosts, and every new TLS handshake adds latency.
//
// It follows no redirects: on a redirect to another host Go drops
// Authorization but copies Anthropic's x-api-key and Azure's api-key, so
// following one could hand a provider key to a third party. A 3xx is a
// failed attempt instead.
var defaultClient = newClient(providerPings)

// providerPings sends a ping on an HTTP/2 connection that has carried
// nothing for 30 s and closes it when no answer comes within 15 s. Every
// concurrent call to a provider shares that connection, and a stream
// whose model reasons may send nothing for minutes, so without the ping a
// connection that a NAT or load balancer dropped without a word would
// hold its calls until their limits (a stream's 9m30s of allowed
// silence, StreamIdle) and keep taking new ones. Closed, its calls
// fail as a connection error (failing over when no answer has begun) and
// new calls dial afresh. A provider that answers the ping keeps a silent
// stream open as long as the call allows.
var providerPings = http.HTTP2Config{SendPingTimeout: 30 * time.Second, PingTimeout: 15 * time.Second}

func newClient(h2 http.HTTP2Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.HTTP2 = &h2
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}
