package upstream_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A base URL's password is a key too: Go's client sends it as basic auth.
// A server that echoes its Authorization header, or the password, in an
// error (a debugging proxy, a misconfigured server of one's own) must not
// show it to the gateway's clients, as an echoed API key is not shown:
// neither in a 4xx passed on as sent nor in the 502 that names each
// model's refusal.
func TestAPasswordInTheBaseURLEchoedByTheServerIsRedacted(t *testing.T) {
	const password = "pw-Secret-4321"
	echoedUserinfoIsRedacted(t, "bob:"+password, password)
}

// Some proxies take a token as the base URL's user with no password
// (https://sk-TOKEN@proxy/v1): Go's client sends "sk-TOKEN:" as basic
// auth, and the token is as secret as a password.
func TestAUserTokenInTheBaseURLEchoedByTheServerIsRedacted(t *testing.T) {
	const token = "sk-proxy-Token-98765"
	echoedUserinfoIsRedacted(t, token, token)
	echoedUserinfoIsRedacted(t, token+":", token)
}

// echoedUserinfoIsRedacted puts userinfo in the base URL of a server that
// echoes the Authorization header and the secret it carries (password,
// or the user where there is none) and checks neither reaches the client.
func echoedUserinfoIsRedacted(t *testing.T, userinfo, secret string) {
	t.Helper()
	user, password, _ := strings.Cut(userinfo, ":")
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusBadRequest
		if strings.Contains(r.URL.Path, "refuse") {
			status = http.StatusUnauthorized
		}
		u, pw, _ := r.BasicAuth()
		if pw == "" {
			pw = u
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"not for you: Authorization %s, password %s","type":"invalid_request_error"}}`,
			r.Header.Get("Authorization"), pw)
	}))
	t.Cleanup(srv.Close)
	base := strings.Replace(srv.URL, "http://", "http://"+userinfo+"@", 1) + "/v1"
	provider := upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: base}
	fwd := &upstream.Forwarder{Providers: upstream.Providers{Default: &provider}}
	order := []router.Model{{ID: "m-id", Name: "m", Provider: "meta"}}

	// A 400 is the client's to read, passed on as the server sent it.
	w := httptest.NewRecorder()
	out := fwd.Forward(context.Background(), w, upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: order})
	require.True(t, out.Wrote)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "Authorization Basic [redacted], password [redacted]")
	assert.NotContains(t, w.Body.String(), basic)
	assert.NotContains(t, w.Body.String(), secret)

	// A 401 refuses the gateway: the 502 quotes it.
	refusing := provider
	refusing.BaseURL = strings.TrimSuffix(base, "/v1") + "/refuse/v1"
	fwd.Providers.Default = &refusing
	out = fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: order})
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "Authorization Basic [redacted], password [redacted]")
	assert.NotContains(t, out.Err.Error(), basic)
	assert.NotContains(t, out.Err.Error(), secret)
	for _, a := range out.Attempts {
		assert.NotContains(t, a.Error, basic)
		assert.NotContains(t, a.Error, secret)
	}
}
