package upstream

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The provider's request id comes from the network: the decision log
// keeps only its visible ASCII, at most maxUpstreamRequestID bytes, and
// reads the headers in the order their providers' support asks for them.
func TestUpstreamRequestIDIsBoundedAndPrintable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header http.Header
		want   string
	}{
		{"none", http.Header{}, ""},
		{"OpenAI", http.Header{"X-Request-Id": {"req_abc123"}}, "req_abc123"},
		{"Anthropic", http.Header{"Request-Id": {"req_011CS"}}, "req_011CS"},
		{"Azure: apim-request-id before its x-request-id",
			http.Header{"Apim-Request-Id": {"8c1d-apim"}, "X-Request-Id": {"other"}}, "8c1d-apim"},
		{"controls, spaces and other encodings dropped",
			http.Header{"X-Request-Id": {"req\x00_a b\u00e9\x7f\r\nc"}}, "req_abc"},
		{"nothing printable: the next header", http.Header{"Request-Id": {" \t"}, "X-Request-Id": {"req_x"}}, "req_x"},
		{"cut to the bound", http.Header{"X-Request-Id": {strings.Repeat("a", 4096)}}, strings.Repeat("a", maxUpstreamRequestID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, upstreamRequestID(tc.header))
		})
	}
}
