package upstream

import (
	"cmp"
	"net/url"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// azureRoot reads an Azure endpoint in the forms a user may paste it: the
// resource root (https://NAME.openai.azure.com), the SDKs' base URL (root
// + "/openai") or the v1 API's (root + "/openai/v1", as the portal now
// shows it). It returns the root and whether the v1 form was given:
// appended to either longer form, the gateway's paths would read
// ".../openai/v1/openai/deployments/..." and every call would 404.
func azureRoot(base string) (root string, v1 bool) {
	base = strings.TrimRight(base, "/")
	if r, ok := cutSuffixFold(base, "/openai/v1"); ok {
		return r, true
	}
	if r, ok := cutSuffixFold(base, "/openai"); ok {
		return r, false
	}
	return base, false
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

// azureEndpoint is the URL of api at Azure resource base for m.
// Responses always take the v1 route (the deployment in model, no
// api-version). Chat Completions take it too when the endpoint was given
// in the v1 form: the user asked for the v1 API, whose routes need no
// api-version. Otherwise they keep the deployment path with the
// configured api-version, so a pinned api_version still means what it
// did.
func azureEndpoint(p Provider, api API, m router.Model) string {
	root, v1 := azureRoot(p.BaseURL)
	switch {
	case api == APIResponses:
		return root + "/openai/v1/responses"
	case v1:
		return root + "/openai/v1/chat/completions"
	}
	return root + "/openai/deployments/" + url.PathEscape(upstreamModel(m)) +
		"/chat/completions?api-version=" + url.QueryEscape(cmp.Or(p.APIVersion, DefaultAzureAPIVersion))
}
