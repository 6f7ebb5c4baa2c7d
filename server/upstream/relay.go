package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// Relay is a request about a Responses API answer that a provider stores:
// read it (GET /responses/{id}, also as a stream of a background
// response), delete it, cancel it, or list its input items. It goes to
// the provider of the one model in the call's Order, the model that wrote
// the answer: no other provider knows the id.
type Relay struct {
	// Method is GET, DELETE or POST.
	Method string
	// Path follows the provider's Responses endpoint: "/{id}",
	// "/{id}/input_items" or "/{id}/cancel", the id already escaped.
	Path string
	// Query is the client's query string, passed on (include[], stream,
	// starting_after, limit, order, after...), less Azure's api-version,
	// which names the client's API version, not the provider's.
	Query url.Values
}

// relayRequest builds the provider request of a Relay call.
func (a *attempt) relayRequest(ctx context.Context, p Provider) (*http.Request, error) {
	if p.Kind == KindAnthropic {
		return nil, &retryable{msg: fmt.Sprintf("provider %s stores no Responses API answers", p.Name)}
	}
	rl := a.call.Relay
	u := endpoint(p, APIResponses, a.model) + rl.Path
	q := url.Values{}
	for k, vs := range rl.Query {
		// In any case: Azure reads query names so.
		if !strings.EqualFold(k, "api-version") {
			q[k] = vs
		}
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, rl.Method, u, nil)
	if err != nil {
		return nil, &retryable{msg: "bad provider base URL for " + p.Name}
	}
	req.Header.Set("User-Agent", "modelrouter")
	if a.call.Stream {
		req.Header.Set("Accept", "text/event-stream")
	}
	setKey(req.Header, p)
	a.call.Trace.set(req.Header)
	return req, nil
}

// relayAnswer names the model in a relayed answer that carries one (a
// response object, as `model` does on every forwarded answer), and the
// answer it continued (continues, a JSON string; nil when not known)
// where it names none (relayNamesContinued); others (a deletion, a list
// of input items, an empty body) go out as they came.
func relayAnswer(raw []byte, m router.Model, continues json.RawMessage) ([]byte, error) {
	obj, err := scanObject(raw)
	if err != nil || !obj.has("model") {
		// Not a response object (an empty 204, a list): as it came.
		return raw, nil
	}
	name, _ := json.Marshal(modelID(m))
	obj.setString("model", name)
	if continues != nil && relayNamesContinued(obj.get("previous_response_id")) {
		obj.setString("previous_response_id", continues)
	}
	return obj.encode(), nil
}

// relayNamesContinued reports whether a relayed response object's
// previous_response_id (raw; nil when it has none) is to be replaced by
// the answer its call continued, which the gateway knows: it is null, as
// a provider stores it for an answer whose call sent a kept answer's
// conversation whole, without the id. An id the provider names is the
// provider's own continuation, and an object without the member is left
// without it.
func relayNamesContinued(named json.RawMessage) bool {
	return string(bytes.TrimSpace(named)) == "null"
}
