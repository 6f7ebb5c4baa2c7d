package upstream

import "net/http"

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
var defaultClient = newClient()

func newClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}
