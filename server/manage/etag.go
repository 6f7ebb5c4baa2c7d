package manage

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// CodePreconditionFailed is the error.code of a PUT or DELETE whose
// If-Match or If-None-Match the deployment does not meet.
const CodePreconditionFailed = "PreconditionFailed"

// etagOf is the entity tag of a deployment as stored: its bytes change with
// every PUT (lastModifiedAt among them), so a client that read one tag and
// sends it back in If-Match replaces or deletes only what it read.
func etagOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// builtInETag is the tag of the built-in deployment, which is not stored.
func (a *API) builtInETag() string {
	raw, _ := json.Marshal(builtInResource(a.catalog.cat.Latest))
	return etagOf(raw)
}

// checkPreconditions evaluates a PUT's or DELETE's If-Match and
// If-None-Match (RFC 9110, section 13) against current, the deployment's
// tag, "" when there is none: a client that sends them relies on them to
// keep a concurrent change, or a deployment it meant to create, from being
// overwritten, so they are not ignored.
func checkPreconditions(h http.Header, name, current string) error {
	if err := checkIfMatch(h, name, current); err != nil {
		return err
	}
	if v := h.Values("If-None-Match"); len(v) > 0 && matchesTag(v, current, true) {
		return preconditionFailed("If-None-Match", "deployment %q exists (ETag %s)", name, current)
	}
	return nil
}

// checkIfMatch refuses a request whose If-Match lists neither current nor
// "*" (any existing deployment).
func checkIfMatch(h http.Header, name, current string) error {
	if v := h.Values("If-Match"); len(v) > 0 && !matchesTag(v, current, false) {
		if current == "" {
			return preconditionFailed("If-Match", "deployment %q does not exist", name)
		}
		if weak, ok := weakTag(v, current); ok {
			// Most likely the tag this client read, weakened on its way
			// by a proxy (one that compresses answers, say): "has
			// changed" would send it to GET the same tag again.
			return preconditionFailed("If-Match", "If-Match %s is a weak tag, and a weak tag never matches: If-Match compares tags strongly (RFC 9110, section 13.1.1); "+
				"a proxy may have weakened the ETag it passed on. Deployment %q's tag is now %s, as the etag member of a GET's body gives it; send that as If-Match",
				weak, name, current)
		}
		return preconditionFailed("If-Match", "deployment %q has changed: its ETag is now %s; GET it again", name, current)
	}
	return nil
}

// weakTag returns the weak form (W/"...") of current that values list: a
// weak tag of another version means the deployment has changed since it
// was read, and sending current instead would overwrite that change.
func weakTag(values []string, current string) (string, bool) {
	for _, v := range values {
		for _, tag := range strings.Split(v, ",") {
			if tag = strings.TrimSpace(tag); tag == "W/"+current {
				return tag, true
			}
		}
	}
	return "", false
}

// notModified evaluates a GET's preconditions against current, the tag of
// the deployment it found (RFC 9110, section 13.2.2): a failed If-Match is
// refused, and an If-None-Match that lists current (compared weakly) or
// "*" means the client's copy is current, to be answered 304.
func notModified(h http.Header, name, current string) (bool, error) {
	if err := checkIfMatch(h, name, current); err != nil {
		return false, err
	}
	v := h.Values("If-None-Match")
	return len(v) > 0 && matchesTag(v, current, true), nil
}

// matchesTag reports whether the header lists current or "*" (which any
// existing deployment matches). If-Match compares tags strongly, so a weak
// tag never matches; If-None-Match weakly.
func matchesTag(values []string, current string, weak bool) bool {
	if current == "" {
		return false
	}
	for _, v := range values {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimSpace(tag)
			if weak {
				tag = strings.TrimPrefix(tag, "W/")
			}
			if tag == "*" || tag == current {
				return true
			}
		}
	}
	return false
}

func preconditionFailed(param, format string, args ...any) error {
	e := router.Errorf(router.EPrecondition, format, args...)
	e.Reason, e.Param = CodePreconditionFailed, param
	return e
}
