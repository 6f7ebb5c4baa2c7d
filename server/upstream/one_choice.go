package upstream

import (
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// A server of one's own may answer only one choice a call: llama.cpp's
// llama-server refuses a Chat call's n other than 1 while it reads the
// request (tools/server, "Only one completion choice is allowed"), with a
// runtime error its handler answers as HTTP 500 server_error. That 500 is
// no outage: the server is up and answers every call with n=1, and another
// model may take the n asked for.

// oneChoiceOnly reports such a refusal: a 500 whose error message holds
// llama-server's words in any case, so a server derived from it that puts
// "Illegal param: " before them is read alike.
func oneChoiceOnly(status int, raw []byte) bool {
	if status != http.StatusInternalServerError {
		return false
	}
	msg, _ := errorMessage(raw)
	return strings.Contains(strings.ToLower(msg), "only one completion choice is allowed")
}

// refuseChoices ends the call on the last model's refusal of n with the
// gateway's own 400 unsupported_value naming param n, in the client API's
// shape, rather than the server's 500, which clients and their SDKs take
// for an outage to retry.
func (a *attempt) refuseChoices(raw []byte) {
	msg, _ := errorMessage(raw)
	if msg = strings.TrimSpace(a.f.redact(msg)); msg == "" {
		msg = "Only one completion choice is allowed"
	}
	a.refuseAsGateway(&router.Error{Code: router.EInvalid, Reason: router.ReasonUnsupportedValue, Param: "n",
		Message: "the server of " + modelID(a.model) + " answers only one choice a call (n=1): " + msg})
}
