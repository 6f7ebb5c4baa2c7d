package upstreamtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// trusting is a client that trusts pemCerts, on a transport like the
// standard one (HTTP/2 attempted over TLS).
func trusting(t *testing.T, pemCerts []byte) *http.Client {
	t.Helper()
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pemCerts))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestTLSFakesServeHTTP2ToAClientTrustingTheirCertificate(t *testing.T) {
	for name, f := range map[string]*upstreamtest.Fake{
		"openai": upstreamtest.NewOpenAITLS(t), "anthropic": upstreamtest.NewAnthropicTLS(t),
	} {
		t.Run(name, func(t *testing.T) {
			require.True(t, strings.HasPrefix(f.URL, "https://127.0.0.1:"), f.URL)
			path, body := "/chat/completions", `{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}`
			if name == "anthropic" {
				path, body = "/messages", `{"model":"gpt-x","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`
			}
			req, err := http.NewRequest(http.MethodPost, f.URL+path, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("anthropic-version", "2023-06-01")
			res, err := trusting(t, f.CertPEM()).Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			assert.Equal(t, 200, res.StatusCode)
			assert.Equal(t, 2, res.ProtoMajor)
			reqs := f.RequestsFor("gpt-x")
			require.Len(t, reqs, 1)
			assert.Equal(t, 2, reqs[0].ProtoMajor, "recorded as it came")
			assert.NotEmpty(t, reqs[0].RemoteAddr)
		})
	}
}

func TestPlainFakeServesHTTP1AndHasNoCertificate(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	assert.Nil(t, f.CertPEM())
	res, err := http.Post(f.URL+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, 1, f.RequestsFor("gpt-x")[0].ProtoMajor)
}

func TestTLSFakeServesHTTP1ToAClientWithoutHTTP2(t *testing.T) {
	f := upstreamtest.NewOpenAITLS(t)
	c := trusting(t, f.CertPEM())
	// An empty TLSNextProto is the documented way to turn HTTP/2 off.
	c.Transport.(*http.Transport).TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	res, err := c.Post(f.URL+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, 1, f.RequestsFor("gpt-x")[0].ProtoMajor)
}
