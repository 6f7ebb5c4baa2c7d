package upstream

import "net/http"

// requestIDHeaders name the provider's id for a request, in the order
// read: Azure OpenAI's API Management id (Azure also sends an
// x-request-id, but its support asks for apim-request-id), Anthropic's
// request-id, OpenAI's x-request-id (which OpenAI-compatible servers and
// proxies often send too).
var requestIDHeaders = []string{"apim-request-id", "request-id", "x-request-id"}

// maxUpstreamRequestID bounds the id kept in the decision log: the
// providers' are under 64 bytes, and the header comes from the network.
const maxUpstreamRequestID = 128

// upstreamRequestID is the provider's own id for the request its response
// answered ("" when it sent none), as the decision log's attempts keep it
// for an escalation to the provider: printable ASCII only, at most
// maxUpstreamRequestID bytes.
func upstreamRequestID(h http.Header) string {
	for _, name := range requestIDHeaders {
		if id := printableID(h.Get(name)); id != "" {
			return id
		}
	}
	return ""
}

// printableID keeps v's visible ASCII characters (no spaces, controls or
// bytes of other encodings), cut to maxUpstreamRequestID bytes.
func printableID(v string) string {
	b := make([]byte, 0, min(len(v), maxUpstreamRequestID))
	for i := 0; i < len(v) && len(b) < maxUpstreamRequestID; i++ {
		if c := v[i]; c > ' ' && c < 0x7f {
			b = append(b, c)
		}
	}
	return string(b)
}
