package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Anthropic's SDKs read a call's id from the request-id header, as
// Anthropic sends it (the Go SDK's Error.RequestID, the Python and
// TypeScript SDKs' _request_id): on the Messages API it is the gateway's
// own id, the one its decision log and feedback are keyed by.
func TestE2EMessagesAnswersCarryTheRequestIDAnthropicsSDKsRead(t *testing.T) {
	e := newE2E(t)
	client := e.anthropicClients()["v1"]

	var res *http.Response
	_, err := client.Messages.New(context.Background(), helloParams("hi"), aoption.WithResponseInto(&res))
	require.NoError(t, err)
	id := res.Header.Get(HeaderRequestID)
	require.NotEmpty(t, id)
	assert.Equal(t, id, res.Header.Get("request-id"))
	assert.Equal(t, id, e.log.waitFor(t, 1)[0].RequestID)

	p := helloParams("hi")
	p.Model = "no-such-router"
	_, err = client.Messages.New(context.Background(), p)
	var ae *anthropic.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
	assert.NotEmpty(t, ae.RequestID, "the SDK's error names the call")
	assert.Equal(t, ae.Response.Header.Get(HeaderRequestID), ae.RequestID)
}
