package upstream

import (
	"net/http"
	"strings"
)

// structuredOutputsBeta is the beta header value that turns on Claude's
// structured outputs (output_config.format and strict tools) where they
// are still in beta.
const structuredOutputsBeta = "structured-outputs-2025-11-13"

// foundryHostSuffix is the host of Claude on Microsoft Foundry, which
// serves the Messages API at https://{resource}.services.ai.azure.com/anthropic
// (Anthropic's "Claude in Microsoft Foundry").
const foundryHostSuffix = ".services.ai.azure.com"

// foundryClaude reports whether p is Claude on Microsoft Foundry, where
// Anthropic's structured outputs page says they "remain in public beta"
// while generally available on Claude's own API and Bedrock, which no
// longer need the beta header.
func foundryClaude(p Provider) bool {
	return p.Kind == KindAnthropic && strings.HasSuffix(apiHost(p.BaseURL), foundryHostSuffix)
}

// withStructuredOutputsBeta adds the structured outputs beta to h's
// anthropic-beta, beside any beta already there, for a request to Claude
// on Foundry that holds Claude to a schema (heldToSchemas): without it
// there, a beta feature is not turned on. Anthropic's own API takes the
// request as it is.
func withStructuredOutputsBeta(h http.Header, p Provider, body requestBody) {
	if !foundryClaude(p) {
		return
	}
	if format, strictTool := heldToSchemas(body); !format && !strictTool {
		return
	}
	lines := h[http.CanonicalHeaderKey("anthropic-beta")] // h's own lines, changed in place below
	for _, v := range lines {
		for _, b := range strings.Split(v, ",") {
			if strings.TrimSpace(b) == structuredOutputsBeta {
				return
			}
		}
	}
	if len(lines) == 0 {
		h.Set("anthropic-beta", structuredOutputsBeta)
		return
	}
	// Written into the client's last line, as the comma-separated list
	// Anthropic documents and its SDKs send: a server in front that reads
	// the header's first line alone would otherwise drop one of them.
	lines[len(lines)-1] += "," + structuredOutputsBeta
}
