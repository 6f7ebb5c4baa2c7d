package upstream

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// A server of one's own may answer only one choice a call: llama.cpp's
// llama-server refuses a Chat call's n other than 1 while it reads the
// request (tools/server, "Only one completion choice is allowed"), with a
// runtime error its handler answers as HTTP 500 server_error. That 500 is
// no outage: the server is up and answers every call with n=1, and another
// model may take the n asked for.

// oneChoiceOnly reports such a refusal: a 500 whose error message holds
// llama-server's words in any case, so a server derived from it that puts
// "Illegal param: " before them is read alike, to a call that asks for
// other than one choice. The same words to a call that does not are no
// refusal of its n: that 500 is an outage like any other.
func (a *attempt) oneChoiceOnly(status int, raw []byte) bool {
	if status != http.StatusInternalServerError {
		return false
	}
	msg, _ := errorMessage(raw)
	return strings.Contains(strings.ToLower(msg), "only one completion choice is allowed") && asksOtherThanOneChoice(a.call.Raw)
}

// asksOtherThanOneChoice reports whether a call's body sets n to a number
// other than 1, as llama-server reads it: an n left out or null is 1.
func asksOtherThanOneChoice(body []byte) bool {
	obj, ok := jsonscan.ParseObject(body)
	if !ok {
		return false
	}
	var n *float64
	if v := obj.Get("n"); v == nil || json.Unmarshal(v, &n) != nil || n == nil {
		return false
	}
	return *n != 1
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
