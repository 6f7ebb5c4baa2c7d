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
