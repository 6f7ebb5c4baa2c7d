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
