package apikey

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFromHeadersReadsEachWayAClientSendsItsKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Header
		want string
	}{
		{"OpenAI's bearer", http.Header{"Authorization": {"Bearer  sk-1 "}}, "sk-1"},
		{"Azure's api-key", http.Header{"Api-Key": {" sk-2"}}, "sk-2"},
		{"Anthropic's x-api-key", http.Header{"X-Api-Key": {"sk-3"}}, "sk-3"},
		{"bearer first", http.Header{"Authorization": {"Bearer sk-1"}, "Api-Key": {"sk-2"}}, "sk-1"},
		{"another scheme is no key", http.Header{"Authorization": {"Basic abc"}}, ""},
		{"none", http.Header{}, ""},
	} {
		assert.Equal(t, tc.want, FromHeaders(tc.h), tc.name)
	}
}

// HTTP's authentication scheme is a case-insensitive token (RFC 9110,
// 11.1): curl users and hand-written clients send "bearer" or "BEARER",
// and their key is read, not answered "Missing API key".
func TestTheBearerSchemeIsReadInAnyCase(t *testing.T) {
	for _, scheme := range []string{"bearer", "BEARER", "beaRer"} {
		assert.Equal(t, "mr-1", FromHeaders(http.Header{"Authorization": {scheme + " mr-1"}}), scheme)
	}
	assert.Equal(t, "", FromHeaders(http.Header{"Authorization": {"Bearermr-1"}}), "no space, no scheme")
}
