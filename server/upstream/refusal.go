package upstream

// A provider's refusal of the gateway itself, as opposed to the client's
// request: the gateway's provider key is refused, or its provider account
// does not serve the model. The client chose neither, so the call fails
// over and the model's health counts it (see forward.go).

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// refusesGateway reports whether a provider's status on a new answer is
// about the gateway rather than the client's request: a 401 or 403 (the
// gateway's provider key is wrong, revoked or lacks access) or a 404 (the
// provider account does not serve the model: an Azure deployment never
// made, a model the OpenAI project cannot use). The client picked a
// deployment, not the model or the key, so another model may answer; passed
// through, the refusal would make the client's SDK report the client's own
// key or deployment as wrong. A 404 stays the client's when the body names
// an id the provider stores (Call.NamesStored): that id may be what is
// unknown. Relays (reads and deletes by id) never get here: only one
// provider has their answer.
func (a *attempt) refusesGateway(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return true
	case http.StatusNotFound:
		return !a.call.NamesStored
	}
	return false
}

// refusalText is a refusal's status and the provider's message, for the
// attempt's record and the 502 when no model answers: the operator reads
// there which key or model to fix.
func (a *attempt) refusalText(resp *http.Response) string {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	msg := strings.TrimSpace(string(raw))
	if e, _, ok := readProviderError(raw); ok {
		msg = e.Message
	}
	if r := []rune(msg); len(r) > 300 {
		msg = string(r[:300]) + "..."
	}
	if msg == "" {
		return fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	return fmt.Sprintf("HTTP %d: %s", resp.StatusCode, msg)
}

// refusedGateway reports whether an attempt failed on such a refusal.
func refusedGateway(err error) bool {
	var rt *retryable
	return errors.As(err, &rt) && rt.gateway
}

// allRefusedGateway explains a call every model's provider refused for the
// gateway's own sake (its key, its account's models): a 502, since the
// client's key and request were accepted, and what would fix it is the
// gateway's configuration, not the client's request. Final: asking again
// meets the same refusals, so the client is told not to retry.
func (f *Forwarder) allRefusedGateway(attempts []router.Attempt) error {
	return &router.Error{Code: router.EUpstream, Detail: attempts, Final: true, Message: f.redact(
		"every upstream model's provider refused the gateway (its provider key, or a model its account does not serve), not this request: " +
			attemptList(attempts))}
}
