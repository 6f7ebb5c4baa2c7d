package upstream_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A base URL may carry credentials as userinfo (Go's client sends them as
// basic auth to, e.g., a vLLM behind an authenticating proxy). The
// provider's String, which `serve` logs at start ("providers"), and %v /
// %#v show the base URL with its password redacted.
func TestProviderStringHidesBaseURLPassword(t *testing.T) {
	const password = "hunter2-very-secret"
	p := upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: "https://alice:" + password + "@llm.internal/v1"}
	ps := upstream.Providers{ByName: map[string]upstream.Provider{"meta": p}, Default: &p}
	for _, s := range []string{p.String(), ps.String(), fmt.Sprintf("%v", p), fmt.Sprintf("%#v", p)} {
		assert.NotContains(t, s, password)
		assert.Contains(t, s, "https://alice:xxxxx@llm.internal/v1")
	}
	// One that does not parse is not shown when it may hold userinfo.
	assert.NotContains(t, upstream.RedactURL("https://alice:"+password+"@llm internal:x/v1"), password)
	assert.Equal(t, "https://llm.internal/v1", upstream.RedactURL("https://llm.internal/v1"))
}

// Some proxies take a token as the base URL's user with no password
// (https://sk-TOKEN@proxy/v1; Go's client sends it as basic auth,
// "sk-TOKEN:"): there the user is the credential, and is shown as the
// password is, as is a user whose password is empty. A user beside a
// password is a name, shown as it was.
func TestProviderStringHidesABaseURLUserThatIsTheCredential(t *testing.T) {
	const token = "sk-proxy-Token-98765"
	for base, shown := range map[string]string{
		"https://" + token + "@proxy.example/v1":  "https://xxxxx@proxy.example/v1",
		"https://" + token + ":@proxy.example/v1": "https://xxxxx@proxy.example/v1",
	} {
		p := upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: base}
		ps := upstream.Providers{Default: &p}
		for _, s := range []string{p.String(), ps.String(), fmt.Sprintf("%v", p), fmt.Sprintf("%#v", p), upstream.RedactURL(base)} {
			assert.NotContains(t, s, token, base)
			assert.Contains(t, s, shown, base)
		}
	}
	assert.Equal(t, "https://alice:xxxxx@llm.internal/v1", upstream.RedactURL("https://alice:pw-1234@llm.internal/v1"))
}
