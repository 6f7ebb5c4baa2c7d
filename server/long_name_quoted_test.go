package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A model name over 64 bytes with characters no deployment name has is
// logged cut and quoted, like a shorter one: no escape sequence or leading
// "=" reaches the decision log as it came.
func TestOverlongImpossibleNameIsNotLoggedRaw(t *testing.T) {
	s, log, _ := newTestServer(t, nil)
	name := "=HYPERLINK(\"http://x\")\x1b]0;pwned\x07" + strings.Repeat("a", 60)
	body, err := json.Marshal(map[string]any{"model": name, "messages": []map[string]string{{"role": "user", "content": "hi"}}})
	require.NoError(t, err)
	w := do(s.Handler(), http.MethodPost, "/v1/chat/completions", string(body))
	require.Equal(t, http.StatusNotFound, w.Code)
	recs := log.all()
	got := recs[len(recs)-1].Decision.Deployment
	assert.NotContains(t, got, "\x1b", "logged deployment %q", got)
	assert.False(t, strings.HasPrefix(got, "="), "logged deployment %q starts with a formula", got)
}

func TestNamesADeploymentIsTheManagementRule(t *testing.T) {
	for name, want := range map[string]bool{
		"model-router": true, "pair": true, "a.b_c-9": true, "9x": true,
		"": false, "-x": false, ".x": false, "x y": false, "x/y": false, "=SUM(A1)": false, "é": false, "x\x1b": false,
	} {
		assert.Equal(t, want, namesADeployment(name), "%q", name)
	}
}
