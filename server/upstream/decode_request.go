package upstream

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/jsontype"
)

// decodeRequest reads a client's body (valid JSON, checked before routing)
// into the struct a translation works from. A member of the wrong type is
// the client's mistake: the error names it (Param, and its path in the
// message) and the JSON type it takes, worded as the checks before routing
// word theirs ("temperature must be a number"), not as encoding/json does,
// which names this package's Go types. api names the request in the one
// error that is not about a member.
func decodeRequest(raw []byte, dst any, api string) error {
	err := json.Unmarshal(raw, dst)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &router.Error{Code: router.EInvalid, Param: te.Field,
			Message: fmt.Sprintf("%s must be %s", te.Field, jsontype.Name(te.Type))}
	}
	return router.Errorf(router.EInvalid, "the %s request body must be a JSON object", api)
}
