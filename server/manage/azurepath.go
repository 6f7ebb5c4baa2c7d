package manage

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// AzureActionPath is where Azure's action (pause, resume) on deployment
// name is POSTed: under AzurePath's deployments, the subscription, group
// and account given as "-", which the server does not check. The CLI's
// pause and resume send it, and a paused deployment's refusal names it.
func AzureActionPath(name, action string) string {
	return azureActionsBase + "/" + url.PathEscape(name) + "/" + action
}

// azureActionsBase is the deployments collection actions are POSTed under.
var azureActionsBase = azureDeploymentsPath("-")

// azureDeploymentsPath is the deployments collection on AzurePath
// (".../accounts/:account/deployments") with each variable segment
// (subscription, group, account) given as each.
func azureDeploymentsPath(each string) string {
	segs := strings.Split(AzurePath+"/deployments", "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = each
		}
	}
	return strings.Join(segs, "/")
}

// azureSegments are the segments of AzurePath's deployments collection, an
// empty string where the path has a variable.
var azureSegments = strings.Split(strings.TrimPrefix(azureDeploymentsPath(""), "/"), "/")

// FoldAzurePath serves next with a request under AzurePath's deployments
// whose fixed segments are spelled in another case (resourcegroups,
// microsoft.cognitiveservices, Deployments) given AzurePath's spelling,
// which the routes (matched as sent, in gin) are registered under: Azure
// Resource Manager matches its paths in any case, and clients (az,
// Terraform's provider, scripts that build resource ids) send them so. The
// variable segments (subscription, group, account, deployment name) are
// left as sent. Wrap the whole engine: gin routes before any middleware
// runs. Only such a path is changed, and no other route starts with
// /subscriptions, so none is shadowed.
func FoldAzurePath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := foldAzurePath(r.URL.Path); ok {
			// A copy: the caller's request stays as it came.
			r2 := r.Clone(r.Context())
			r2.URL.Path = p
			// RawPath, when set, must spell Path or it is ignored;
			// its fixed segments are plain ASCII, folded the same.
			if raw, ok := foldAzurePath(r.URL.RawPath); ok {
				r2.URL.RawPath = raw
			}
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

// foldAzurePath returns path with AzurePath's fixed segments spelled as
// AzurePath spells them, and whether that changed it.
func foldAzurePath(path string) (string, bool) {
	if !strings.HasPrefix(path, "/") {
		return "", false
	}
	segs := strings.SplitN(path[1:], "/", len(azureSegments)+1)
	if len(segs) < len(azureSegments) {
		return "", false
	}
	changed := false
	for i, want := range azureSegments {
		if want == "" || segs[i] == want {
			continue
		}
		// ASCII letters only, as deployment names fold (FoldName).
		if router.FoldName(segs[i]) != router.FoldName(want) {
			return "", false
		}
		segs[i] = want
		changed = true
	}
	if !changed {
		return "", false
	}
	return "/" + strings.Join(segs, "/"), true
}
